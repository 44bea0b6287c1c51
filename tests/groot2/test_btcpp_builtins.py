"""The built-in node models the live tree declares are BT.CPP's own, as its publisher sends them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bt_planner.groot2.btcpp_builtins import BUILTIN_MODELS
from bt_planner.tree.btcpp_nodes import tree_nodes_model
from tests.groot2.monitor_client import MonitorClient, free_port_pair
from tests.tree.btcpp_harness import bt


def _ports(model: ET.Element) -> set[tuple[str, str, str, str | None]]:
    return {
        (p.tag, p.get("name", ""), p.get("type", ""), p.get("default"))
        for p in model
        if p.tag.endswith("_port")
    }


def test_each_builtin_model_matches_the_one_btcpps_publisher_sends() -> None:
    factory = bt.BehaviorTreeFactory()
    tree = factory.create_tree_from_text(
        '<root BTCPP_format="4"><BehaviorTree ID="T"><AlwaysSuccess/></BehaviorTree></root>'
    )
    port = free_port_pair()
    publisher = bt.Groot2Publisher(tree, port)
    client = MonitorClient(port)
    try:
        sent = ET.fromstring(client.fetch_tree()).find("TreeNodesModel")
    finally:
        client.close()
        del publisher
    assert sent is not None
    theirs = {model.get("ID"): model for model in sent}
    for ours in tree_nodes_model(list(BUILTIN_MODELS.values())):
        node_id = ours.get("ID")
        assert node_id in theirs, node_id
        assert ours.tag == theirs[node_id].tag, node_id
        assert _ports(ours) == _ports(theirs[node_id]), node_id
