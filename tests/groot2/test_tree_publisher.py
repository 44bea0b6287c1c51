"""``Groot2Publisher``: one Groot2-like client, proven first on BT.CPP's own publisher, then on ours.

The client (``monitor_client``) is written from the protocol; it first talks to the real
BehaviorTree.CPP ``Groot2Publisher`` (``behaviortreepy``) attached to a BT.CPP tree, then, unchanged,
to bt_planner's publisher attached to a mission running a plan on the simulator. Statuses are
polled from the runner's post-tick listener, so every tick is seen and nothing sleeps.
"""

from __future__ import annotations

import socket
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import py_trees
import pytest

from bt_planner.config import ExecutionSettings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import default_world
from bt_planner.errors import Groot2Unavailable
from bt_planner.execution import GivenPlanPlanner, MissionRunner
from bt_planner.groot2 import Groot2Publisher
from bt_planner.groot2.btcpp_builtins import BUILTIN_MODELS
from bt_planner.plans.plan import Plan
from bt_planner.sim import SimulatedRobot
from bt_planner.tree.leaves import ActionLeaf
from bt_planner.tree.mission import Mission
from bt_planner.tree.xml_export import tree_to_xml
from tests.groot2.monitor_client import MonitorClient, MonitorError, ended_as, free_port_pair
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan
from tests.tree.btcpp_harness import bt, run_in_btcpp

KITCHEN = Plan.model_validate(kitchen_plan())
BTCPP_TREE = """<root BTCPP_format="4" main_tree_to_execute="Main">
  <BehaviorTree ID="Main">
    <Sequence name="mission">
      <Work name="navigate"/>
      <Timeout name="bounded" msec="1000"><AlwaysSuccess name="done"/></Timeout>
    </Sequence>
  </BehaviorTree>
</root>"""


def _dedup(values: list[str]) -> list[str]:
    return [v for i, v in enumerate(values) if i == 0 or values[i - 1] != v]


@pytest.fixture
def btcpp() -> Iterator[tuple[object, MonitorClient]]:
    """A BT.CPP tree whose ``navigate`` runs for two ticks, published by BT.CPP's own publisher."""
    factory = bt.BehaviorTreeFactory()
    polls = {"n": 0}

    def running(node: object) -> object:
        polls["n"] += 1
        return bt.NodeStatus.SUCCESS if polls["n"] >= 2 else bt.NodeStatus.RUNNING

    factory.register_simple_stateful_action("Work", lambda node: bt.NodeStatus.RUNNING, running)
    tree = factory.create_tree_from_text(BTCPP_TREE)
    port = free_port_pair()
    publisher = bt.Groot2Publisher(tree, port)
    client = MonitorClient(port)
    yield tree, client
    client.close()
    del publisher


def test_the_client_reads_btcpps_own_publisher_tree_and_statuses(btcpp: tuple[object, MonitorClient]) -> None:
    tree, client = btcpp
    document = ET.fromstring(client.fetch_tree())
    assert sorted(client.names.values()) == ["bounded", "done", "mission", "navigate"]
    assert document.find("BehaviorTree") is not None and document.find("TreeNodesModel") is not None
    seen: list[str] = [client.by_name()["navigate"]]
    for _ in range(5):
        status = str(tree.tick_once())  # type: ignore[attr-defined]
        seen.append(client.by_name()["navigate"])
        if status.endswith("SUCCESS"):
            break
    assert [ended_as(s) for s in _dedup(seen)] == ["IDLE", "RUNNING", "SUCCESS"]
    assert client.tree_fetches == 1  # a static tree keeps its id


def test_btcpps_answers_to_what_a_monitor_may_ask_beyond_tree_and_status(
    btcpp: tuple[object, MonitorClient],
) -> None:
    _, client = btcpp
    assert client.request("D").payload == [b"[]"]
    with pytest.raises(MonitorError, match="Request not recognized"):
        client.request("Q")
    with pytest.raises(MonitorError, match="wrong request header"):
        client.request("S", header=b"abc")


# ---- the same client on bt_planner's publisher ----------------------------------------------


@pytest.fixture
def publisher() -> Iterator[Groot2Publisher]:
    with Groot2Publisher(port=free_port_pair(), tree_id="Mission") as served:
        yield served


@pytest.fixture
def runner() -> Iterator[MissionRunner]:
    world = default_world()
    with MissionRunner(
        planner=GivenPlanPlanner(KITCHEN, limits=SafetyLimits()),
        robot=SimulatedRobot(world),
        world=world,
        limits=SafetyLimits(),
        settings=ExecutionSettings(max_replans=0),
    ) as made:
        yield made


def _metadata_free(xml: str) -> str:
    """The document as a file to load: no ``_uid``/``_fullpath``, no models of BT.CPP's own nodes."""
    document = ET.fromstring(xml)
    for element in document.iter():
        for key in ("_uid", "_fullpath"):
            element.attrib.pop(key, None)
    models = document.find("TreeNodesModel")
    assert models is not None
    for model in [m for m in models if m.get("ID") in BUILTIN_MODELS]:
        models.remove(model)
    return ET.tostring(document, encoding="unicode")


def test_the_same_client_follows_a_plan_running_in_the_mission_on_the_simulator(
    publisher: Groot2Publisher, runner: MissionRunner
) -> None:
    client = MonitorClient(publisher.port)
    publisher.attach(runner.mission.tree)
    before = ET.fromstring(client.fetch_tree())
    mission_uids = {e.get("name"): e.get("_uid") for e in before.iter() if "_uid" in e.attrib}
    assert mission_uids["Mission"] == "1" and "Execute" in mission_uids
    seen: list[str] = []
    checked: list[str] = []

    def on_tick(mission: Mission) -> None:
        compiled = mission.current_plan()
        statuses = client.statuses()
        if compiled is None:
            return
        leaf = compiled.leaves[0]
        uid = publisher.uid(leaf)
        assert client.names[uid] == leaf.name  # the uid in the document is this node's
        seen.append({1: "RUNNING", 2: "SUCCESS", 3: "FAILURE"}.get(statuses[uid] % 10, "IDLE"))
        if not checked:
            checked.append(_check_document(client, mission, compiled.root))

    report = runner.run(KITCHEN_COMMAND, on_tick=on_tick)
    assert report.success
    assert _dedup(seen) == ["RUNNING", "SUCCESS"]
    assert checked, "the served document was never checked with a plan in it"
    assert client.tree_fetches >= 2  # the plan went in: a new tree id, fetched again
    after = ET.fromstring(client.xml or "")
    kept = {e.get("name"): e.get("_uid") for e in after.iter() if e.get("name") in mission_uids}
    assert kept == mission_uids  # the mission's nodes keep their uids
    client.close()


def _check_document(client: MonitorClient, mission: Mission, plan_root: py_trees.behaviour.Behaviour) -> str:
    """The served document: loads in BT.CPP; the plan sits under ExecutePlan with the export's ports."""
    xml = client.xml or ""
    assert run_in_btcpp(_metadata_free(xml)).status in ("SUCCESS", "FAILURE", "RUNNING")
    document = ET.fromstring(xml)
    execute = next(e for e in document.iter("ExecutePlan"))
    assert [child.get("name") for child in execute] == [plan_root.name]
    models = {m.get("ID"): m.tag for m in document.find("TreeNodesModel") or []}
    assert models["ExecutePlan"] == "Decorator" and models["Navigate"] == "Action"
    assert models["Sequence"] == "Control"  # BT.CPP's own models are declared, as BT.CPP sends them
    exported = ET.fromstring(tree_to_xml(plan_root))
    for leaf in plan_root.iterate():
        if isinstance(leaf, ActionLeaf):
            served = next(e for e in document.iter(type(leaf).__name__) if e.get("name") == leaf.name)
            expected = next(e for e in exported.iter(type(leaf).__name__) if e.get("name") == leaf.name)
            assert {k: v for k, v in served.attrib.items() if k != "_uid"} == expected.attrib
    assert mission.root.name == document.find("BehaviorTree")[0].get("name")  # type: ignore[index]
    return xml


def test_unsupported_requests_get_btcpps_error_form_and_hook_free_answers(
    publisher: Groot2Publisher, runner: MissionRunner
) -> None:
    publisher.attach(runner.mission.tree)
    client = MonitorClient(publisher.port)
    assert client.request("D").payload == [b"[]"]
    assert client.request("A").payload == []
    assert client.request("B", b"Mission").payload == [b"\x80"]  # msgpack {}: no blackboard published
    with pytest.raises(MonitorError, match="breakpoints are not supported"):
        client.request("I", b'{"uid": 1, "position": 0}')
    with pytest.raises(MonitorError, match="Request not recognized"):
        client.request("Q")
    with pytest.raises(MonitorError, match="wrong request header"):
        client.request("S", header=b"abc")
    with pytest.raises(MonitorError, match="2 parts"):
        client.request("B")
    client.close()


def test_recorded_transitions_list_each_status_change_with_its_node(
    publisher: Groot2Publisher, runner: MissionRunner
) -> None:
    publisher.attach(runner.mission.tree)
    client = MonitorClient(publisher.port)
    started = int(client.request("r", b"start").payload[0])
    assert started > 0
    runner.run(KITCHEN_COMMAND)
    payload = client.request("t").payload[0]
    client.request("r", b"stop")
    assert payload and len(payload) % 9 == 0
    entries = [
        (int.from_bytes(payload[i : i + 6], "little"), *struct.unpack("<HB", payload[i + 6 : i + 9]))
        for i in range(0, len(payload), 9)
    ]
    stamps = [stamp for stamp, _, _ in entries]
    assert stamps == sorted(stamps)
    root_uid = 1
    assert (root_uid, 1) in [(uid, status) for _, uid, status in entries]  # the mission root went RUNNING
    client.close()


def test_a_tree_that_cannot_be_exported_still_serves_statuses_and_says_why() -> None:
    class Opaque(py_trees.behaviour.Behaviour):
        def update(self) -> py_trees.common.Status:
            return py_trees.common.Status.RUNNING

    tree = py_trees.trees.BehaviourTree(Opaque(name="opaque"))
    with Groot2Publisher(port=free_port_pair()) as served:
        served.attach(tree)
        tree.tick()  # the post-tick handler must not raise into the tick loop
        client = MonitorClient(served.port)
        with pytest.raises(MonitorError, match="cannot be shown in Groot2"):
            client.request("T")
        assert client.request("S").payload[0] == struct.pack("<HB", 1, 1)
        client.close()


def test_a_port_in_use_is_a_groot2_unavailable_naming_the_address() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(Groot2Unavailable, match=f"tcp://127.0.0.1:{port}"):
            Groot2Publisher(port=port)
