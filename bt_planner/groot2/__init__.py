"""Groot2 live monitoring: serve a running py_trees tree the way BehaviorTree.CPP's publisher does.

``Groot2Publisher(port=1667).attach(tree)`` lets Groot2 ("Monitor" mode, server port 1667) show
the tree and its node statuses as it runs. Needs pyzmq (``pip install 'bt-planner[groot2]'``); it is
imported only when a publisher is made. ``monitor_protocol`` is the wire format, ``live_tree`` what
is shown, ``tree_publisher`` the ZMQ server.
"""

from bt_planner.groot2.live_tree import LiveTree, TreeSnapshot
from bt_planner.groot2.monitor_protocol import DEFAULT_PORT
from bt_planner.groot2.tree_publisher import Groot2Publisher

__all__ = ["DEFAULT_PORT", "Groot2Publisher", "LiveTree", "TreeSnapshot"]
