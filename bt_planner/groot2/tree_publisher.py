"""``Groot2Publisher``: serve a running py_trees tree to Groot2 (live monitoring), over ZMQ.

It speaks the protocol of BehaviorTree.CPP's own ``Groot2Publisher`` (``monitor_protocol``): a REP
server on ``port`` answering the tree (``FULLTREE``), the node statuses (``STATUS``), hook dumps
and transition recording; a PUB socket on ``port + 1`` (used by BT.CPP only for breakpoints, which
bt_planner does not offer: inserting a hook gets an error reply). The blackboard request gets an
empty answer (py_trees' blackboard holds Python objects, not BT.CPP's typed entries).

Threads: ``attach(tree)`` adds a py_trees post-tick handler that takes a ``TreeSnapshot`` on the
ticking thread (a few microseconds per node; the document is rebuilt only when the tree's shape
changes) and swaps it in. The server thread only reads the latest snapshot, so a slow or absent
Groot2 never blocks or slows the tick loop. Bound to 127.0.0.1 unless ``host`` says otherwise.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time

import py_trees

from bt_planner.errors import Groot2Unavailable, MonitorProtocolError
from bt_planner.groot2.live_tree import LiveTree, TreeSnapshot
from bt_planner.groot2.monitor_protocol import (
    DEFAULT_PORT,
    RequestType,
    decode_request_header,
    encode_transitions,
    error_reply,
    new_tree_id,
    reply_to,
)
from bt_planner.plans.custom_actions import CustomActionRegistry

_log = logging.getLogger(__name__)

_EMPTY_MSGPACK_MAP = b"\x80"
"""msgpack of ``{}``: no blackboard is published."""
_MAX_TRANSITIONS = 1000
"""Transitions kept while recording (the oldest are dropped), as BT.CPP keeps."""
_UNSUPPORTED_HOOKS = "breakpoints are not supported by bt_planner's Groot2 publisher (it monitors only)"


def _now_us() -> int:
    return time.time_ns() // 1000


class Groot2Publisher:
    """Publishes an attached py_trees tree to Groot2 on ``tcp://host:port`` (and ``port + 1``).

    Use it as a context manager, or ``close()`` it. Binding happens in the constructor.

    Args:
        port: the server port (Groot2's default 1667); the publisher socket is ``port + 1``.
        host: the interface to bind; loopback by default.
        tree_id: the ``<BehaviorTree ID>`` shown in Groot2.
        custom_actions: the registry custom actions' port models come from.

    Raises:
        Groot2Unavailable: pyzmq is not installed, or a port cannot be bound (in use, bad host).
    """

    def __init__(
        self,
        *,
        port: int = DEFAULT_PORT,
        host: str = "127.0.0.1",
        tree_id: str = "MainTree",
        custom_actions: CustomActionRegistry | None = None,
    ) -> None:
        try:
            import zmq
        except ImportError as error:
            raise Groot2Unavailable(
                "Groot2 monitoring needs pyzmq: pip install 'bt-planner[groot2]'"
            ) from error
        if not 0 < port < 0xFFFF:
            raise Groot2Unavailable(
                f"Groot2 port {port} is out of range: use 1..65534 (it also takes port + 1)"
            )
        self.port = port
        self.host = host
        self._live = LiveTree(tree_id=tree_id, custom_actions=custom_actions)
        self._latest = TreeSnapshot(
            tree_id=new_tree_id(), xml=None, statuses=b"", error="no tree attached yet"
        )
        self._trees: list[py_trees.trees.BehaviourTree] = []
        self._recording_since: int | None = None
        self._transitions: collections.deque[tuple[int, int, int]] = collections.deque(
            maxlen=_MAX_TRANSITIONS
        )
        self._failed = False
        self._context = zmq.Context()
        self._server = self._context.socket(zmq.REP)
        self._publisher = self._context.socket(zmq.PUB)
        wake_address = f"inproc://groot2-wake-{id(self)}"
        self._wake_rx = self._context.socket(zmq.PAIR)
        self._wake_tx = self._context.socket(zmq.PAIR)
        for socket in (self._server, self._publisher, self._wake_rx, self._wake_tx):
            socket.setsockopt(zmq.LINGER, 0)
        self._server.setsockopt(zmq.SNDTIMEO, 1000)
        try:
            self._server.bind(f"tcp://{host}:{port}")
            self._publisher.bind(f"tcp://{host}:{port + 1}")
        except zmq.ZMQError as error:
            self._context.destroy(linger=0)
            raise Groot2Unavailable(
                f"cannot serve Groot2 on tcp://{host}:{port} and :{port + 1}: {error}; pick another port"
            ) from error
        self._wake_rx.bind(wake_address)
        self._wake_tx.connect(wake_address)
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name=f"groot2-{port}", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        """Where Groot2 connects (its "server port" is ``port``)."""
        return f"tcp://{self.host}:{self.port}"

    def __enter__(self) -> Groot2Publisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- the ticking side ---------------------------------------------------------------

    def attach(self, tree: py_trees.trees.BehaviourTree) -> None:
        """Publish ``tree`` from now on: its state now, then after every tick (post-tick handler)."""
        self._trees.append(tree)
        tree.add_post_tick_handler(self.after_tick)
        self.after_tick(tree)

    def after_tick(self, tree: py_trees.trees.BehaviourTree) -> None:
        """Take the snapshot Groot2 is served (py_trees calls it on the ticking thread).

        Never raises into the tick loop: a failure is logged once and served as an error reply.
        """
        try:
            snapshot = self._live.observe(tree.root)
        except Exception as error:  # the monitor must not stop the robot's tree
            if not self._failed:
                _log.exception("Groot2 snapshot failed; serving an error from now on")
                self._failed = True
            self._latest = TreeSnapshot(
                tree_id=self._latest.tree_id, xml=None, statuses=b"", error=f"snapshot failed: {error}"
            )
            return
        since = self._recording_since
        if since is not None and snapshot.changes:
            stamp = _now_us() - since
            self._transitions.extend((stamp, uid, status) for uid, status in snapshot.changes)
        self._latest = snapshot

    def uid(self, node: py_trees.behaviour.Behaviour) -> int:
        """The uid Groot2 knows ``node`` by (once a tick has been observed with it)."""
        return self._live.uid(node)

    # ---- the server thread ---------------------------------------------------------------

    def _serve(self) -> None:
        import zmq

        poller = zmq.Poller()
        poller.register(self._server, zmq.POLLIN)
        poller.register(self._wake_rx, zmq.POLLIN)
        try:
            while True:
                ready = dict(poller.poll())
                if self._wake_rx in ready:
                    return
                if self._server in ready:
                    frames = self._server.recv_multipart(zmq.NOBLOCK)
                    self._server.send_multipart(self.answer(frames))
        except zmq.ZMQError as error:
            if not self._closed:
                _log.warning("Groot2 server on %s stopped: %s", self.address, error)
        finally:
            self._server.close(linger=0)
            self._publisher.close(linger=0)
            self._wake_rx.close(linger=0)

    def answer(self, frames: list[bytes]) -> list[bytes]:
        """The reply frames for the request ``frames`` (never raises; a bad request gets an error)."""
        if not frames:
            return error_reply("empty request")
        try:
            request = decode_request_header(frames[0])
        except MonitorProtocolError:
            return error_reply("wrong request header")
        snapshot = self._latest
        header = reply_to(request, snapshot.tree_id)
        try:
            kind = RequestType(request.type)
        except ValueError:
            return error_reply("Request not recognized")
        if kind is RequestType.FULLTREE:
            if snapshot.xml is None:
                return error_reply(snapshot.error or "no tree")
            return [header, snapshot.xml]
        if kind is RequestType.STATUS:
            return [header, snapshot.statuses]
        if kind in (RequestType.BLACKBOARD, RequestType.TOGGLE_RECORDING) and len(frames) != 2:
            return error_reply("must be 2 parts message")
        if kind is RequestType.BLACKBOARD:
            return [header, _EMPTY_MSGPACK_MAP]
        if kind is RequestType.HOOKS_DUMP:
            return [header, b"[]"]
        if kind in (RequestType.REMOVE_ALL_HOOKS, RequestType.DISABLE_ALL_HOOKS):
            return [header]
        if kind is RequestType.TOGGLE_RECORDING:
            return self._toggle_recording(header, frames[1])
        if kind is RequestType.GET_TRANSITIONS:
            drained: list[tuple[int, int, int]] = []
            with contextlib.suppress(IndexError):
                while True:
                    drained.append(self._transitions.popleft())
            return [header, encode_transitions(drained)]
        return error_reply(_UNSUPPORTED_HOOKS)

    def _toggle_recording(self, header: bytes, command: bytes) -> list[bytes]:
        if command == b"start":
            self._transitions.clear()
            now = _now_us()
            self._recording_since = now
            return [header, str(now).encode()]
        if command == b"stop":
            self._recording_since = None
            return [header]
        return error_reply(f"recording command must be 'start' or 'stop', got {command[:20]!r}")

    # ---- shutdown ---------------------------------------------------------------------------

    def close(self) -> None:
        """Stop publishing: detach from the trees, stop the server thread, release the ports."""
        if self._closed:
            return
        self._closed = True
        for tree in self._trees:
            with contextlib.suppress(ValueError):
                tree.post_tick_handlers.remove(self.after_tick)
        self._trees.clear()
        self._wake_tx.send(b"")
        self._thread.join(timeout=5.0)
        self._wake_tx.close(linger=0)
        if not self._thread.is_alive():
            self._context.term()
