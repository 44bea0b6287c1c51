"""Snapshot capture, the JSON codec, the py_trees_js converter and publish-on-change, on real py_trees trees."""

from __future__ import annotations

import json

import py_trees
import pytest
from pydantic import BaseModel, ValidationError

from bt_planner.core.geometry import Pose, Vec3
from bt_planner.plans.plan import Plan
from bt_planner.snapshot import (
    ChangeDetector,
    KeyAccess,
    NodeKind,
    NodeStatus,
    SnapshotContext,
    TreeSnapshot,
    TreeSnapshotter,
    capture,
    from_dict,
    from_json,
    json_schema,
    same_content,
    to_dict,
    to_json,
    to_py_trees_js,
)
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan
from tests.snapshot_trees import STEP_NAMES, kitchen_tree, kitchen_world, mission, robot_at


def test_capture_records_every_node_with_ids_classes_kinds_and_children():
    tree = kitchen_tree()
    snapshot = capture(tree.root, timestamp=12.5)

    behaviours = list(tree.root.iterate())
    assert set(snapshot.nodes) == {str(b.id) for b in behaviours}
    assert snapshot.root == str(tree.root.id)
    for behaviour in behaviours:
        node = snapshot.nodes[str(behaviour.id)]
        assert node.name == behaviour.name
        assert node.children == [str(child.id) for child in behaviour.children]
        assert node.status is NodeStatus.INVALID
    assert snapshot.node_by_name("Mission").kind is NodeKind.SELECTOR
    assert snapshot.node_by_name("Mission").class_name == "py_trees.composites.Selector"
    assert snapshot.node_by_name("Bring red cup to table").kind is NodeKind.SEQUENCE
    assert snapshot.node_by_name("Not cancelled").kind is NodeKind.DECORATOR
    assert snapshot.node_by_name("Grasp red_cup").class_name == "tests.snapshot_trees.Step"
    assert [node.name for _, node in snapshot.depth_first()][:4] == [
        "Mission",
        "Run",
        "Not cancelled",
        "Cancelled?",
    ]
    assert snapshot.visited == [] and snapshot.running_path == [] and snapshot.tip is None
    assert snapshot.timestamp == 12.5


def test_capture_records_status_feedback_running_path_and_tip_after_ticks():
    tree = kitchen_tree(ticks=2)
    tree.tick()
    snapshot = capture(tree.root, tick=1)

    first = snapshot.node_by_name(STEP_NAMES[0])
    assert first.status is NodeStatus.RUNNING
    assert first.feedback == "step 0: 1/2"
    assert snapshot.node_by_name(STEP_NAMES[1]).status is NodeStatus.INVALID
    names = [snapshot.nodes[node_id].name for node_id in snapshot.running_path]
    assert names == ["Mission", "Run", "Bring red cup to table", STEP_NAMES[0]]
    assert snapshot.tip == first.id
    assert snapshot.node_by_name("Cancelled?").status is NodeStatus.FAILURE
    assert snapshot.node_by_name("Report failure").id not in snapshot.visited


def test_visited_comes_from_a_snapshot_visitor_when_given():
    tree = kitchen_tree(ticks=1)
    visitor = py_trees.visitors.SnapshotVisitor()
    tree.add_visitor(visitor)
    tree.tick()  # step 0 succeeds at once, the memory sequence goes on to step 1 ... all five finish
    tree.tick()
    exact = capture(tree.root, visited=visitor.visited)
    approximate = capture(tree.root)

    # On the second tick the memory sequences skip finished children: the visitor knows, status alone can't.
    assert exact.visited == [
        node_id for node_id in exact.nodes if node_id in {str(i) for i in visitor.visited}
    ]
    assert exact.node_by_name("Cancelled?").id in exact.visited
    assert set(exact.visited) <= set(approximate.visited)


def test_blackboard_keys_with_access_and_values():
    class Point(BaseModel):
        x: float

    tree = kitchen_tree()
    extra = py_trees.behaviours.Success("Extra")
    client = extra.attach_blackboard_client(name="extra")
    client.register_key(key="goal", access=py_trees.common.Access.EXCLUSIVE_WRITE)
    client.register_key(key="local", access=py_trees.common.Access.WRITE, remap_to="/remapped/local")
    client.register_key(key="thing", access=py_trees.common.Access.READ)
    client.goal = Point(x=1.5)
    client.local = 3
    py_trees.blackboard.Blackboard.set("/thing", object())
    tree.root.add_child(extra)
    tree.tick()
    snapshot = capture(tree.root)

    step = snapshot.node_by_name(STEP_NAMES[0])
    assert {(e.key, e.access) for e in step.blackboard} == {
        ("/robot/pose", KeyAccess.READ),
        ("/mission/action_index", KeyAccess.WRITE),
    }
    extra_node = snapshot.node_by_name("Extra")
    assert {(e.key, e.access) for e in extra_node.blackboard} == {
        ("/goal", KeyAccess.EXCLUSIVE_WRITE),
        ("/remapped/local", KeyAccess.WRITE),
        ("/thing", KeyAccess.READ),
    }
    assert snapshot.blackboard["/goal"] == {"x": 1.5}
    assert snapshot.blackboard["/remapped/local"] == 3
    assert snapshot.blackboard["/mission/action_index"] == 0
    assert snapshot.blackboard["/robot/pose"] == Pose().model_dump(mode="json")
    assert isinstance(snapshot.blackboard["/thing"], str) and "object" in snapshot.blackboard["/thing"]
    assert capture(tree.root, blackboard_values=False).blackboard == {}


def test_mission_robot_and_world_travel_with_the_tree_and_round_trip_through_json():
    tree = kitchen_tree()
    tree.tick()
    world = kitchen_world(cup=Vec3(x=5.0, y=1.0, z=0.75))
    snapshot = capture(
        tree.root,
        tick=1,
        mission=mission("EXECUTING", action_index=0),
        robot=robot_at(1.0, 2.0, 0.5, holding="red_cup"),
        world=world,
    )
    text = to_json(snapshot)
    data = json.loads(text)

    assert "\n" not in text
    assert data["version"] == 1
    assert data["nodes"][snapshot.root]["class"] == "py_trees.composites.Selector"
    assert data["mission"]["plan"] == kitchen_plan() | {"actions": data["mission"]["plan"]["actions"]}
    assert Plan.model_validate(data["mission"]["plan"]).actions[2].action_type.value == "grasp"
    assert data["robot"]["holding"] == "red_cup"
    assert data["world"]["objects"]["red_cup"]["position"] == {"x": 5.0, "y": 1.0, "z": 0.75}
    assert data["world"]["forbidden_zones"]["stairs"]["shape"] == "polygon"
    assert from_json(text) == snapshot
    assert from_dict(to_dict(snapshot)) == snapshot


def test_command_and_plan_shorthand_build_the_mission():
    plan = Plan.model_validate(kitchen_plan())
    snapshot = capture(kitchen_tree().root, command=KITCHEN_COMMAND, plan=plan)
    assert snapshot.mission is not None
    assert snapshot.mission.command == KITCHEN_COMMAND
    assert snapshot.mission.plan == plan.to_wire()
    assert capture(kitchen_tree().root).mission is None


def test_a_bare_snapshot_is_valid_and_unknown_versions_or_dangling_ids_are_rejected():
    bare = from_json('{"version": 1, "timestamp": 0}')
    assert bare.nodes == {} and bare.world is None and bare.depth_first() == []

    good = to_dict(capture(kitchen_tree().root))
    with pytest.raises(ValidationError, match="version"):
        from_dict(good | {"version": 2})
    broken = json.loads(json.dumps(good))
    broken["nodes"][good["root"]]["children"].append("no-such-node")
    with pytest.raises(ValidationError, match="unknown children"):
        from_dict(broken)
    with pytest.raises(ValidationError, match="running_path"):
        from_dict(good | {"running_path": ["ghost"]})
    with pytest.raises(ValidationError, match="root"):
        from_dict(good | {"root": "ghost"})


def test_json_schema_documents_the_wire_names():
    schema = json_schema()
    node = schema["$defs"]["TreeNode"]
    assert "class" in node["properties"] and "class_name" not in node["properties"]
    assert schema["properties"]["version"]["const"] == 1


def test_py_trees_js_conversion():
    tree = kitchen_tree()
    tree.tick()
    snapshot = capture(tree.root)
    js = to_py_trees_js(snapshot)

    assert set(js) == {"timestamp", "behaviours", "visited_path", "blackboard"}
    assert list(js["behaviours"]) == list(snapshot.nodes)
    root = js["behaviours"][snapshot.root]
    assert root["id"] == snapshot.root and root["name"] == "Mission" and root["status"] == "RUNNING"
    assert root["colour"] == "#00FFFF"  # selector
    assert root["children"] == snapshot.nodes[snapshot.root].children
    step = js["behaviours"][snapshot.node_by_name(STEP_NAMES[0]).id]
    assert step["colour"] == "#555555" and step["details"] == "step 0: 1/2"
    assert step["data"]["Feedback"] == "step 0: 1/2"
    assert step["data"]["Class"] == "tests.snapshot_trees.Step"
    assert js["visited_path"] == snapshot.visited
    assert js["blackboard"]["behaviours"][step["id"]] == {"/robot/pose": "r", "/mission/action_index": "w"}
    assert js["blackboard"]["data"]["/mission/action_index"] == "0"
    assert all(isinstance(v, str) for v in js["blackboard"]["data"].values())
    json.dumps(js)  # JSON-ready


def test_change_detection_ignores_timestamps_and_tick_count_only():
    tree = kitchen_tree(ticks=3)
    world = kitchen_world()
    tree.tick()
    first = capture(tree.root, tick=1, timestamp=1.0, robot=robot_at(0, 0), world=world)
    again = capture(
        tree.root, tick=7, timestamp=2.0, robot=robot_at(0, 0).model_copy(update={"timestamp": 9.0})
    )
    again = again.model_copy(update={"world": world})
    assert same_content(first, again)

    detector = ChangeDetector()
    assert detector.changed(first)
    assert not detector.changed(again)
    assert detector.changed(again.model_copy(update={"robot": robot_at(0.1, 0)}))  # the robot moved
    tree.tick()  # feedback message changes: 1/3 -> 2/3
    moved = capture(tree.root, tick=2, robot=robot_at(0.1, 0), world=world)
    assert detector.changed(moved)
    assert not detector.changed(moved)
    detector.reset()
    assert detector.changed(moved)


def test_snapshotter_publishes_after_ticks_only_when_something_changed():
    tree = kitchen_tree(ticks=2)
    published: list[TreeSnapshot] = []
    robot = robot_at(0, 0)
    snapshotter = TreeSnapshotter(
        tree,
        publish=published.append,
        context=lambda: SnapshotContext(robot=robot, mission=mission("EXECUTING")),
    )
    tree.tick()
    tree.tick()
    assert [s.tick for s in published] == [1, 2]
    assert published[0].node_by_name(STEP_NAMES[0]).status is NodeStatus.RUNNING
    assert published[1].node_by_name(STEP_NAMES[1]).status is NodeStatus.RUNNING
    assert published[1].robot == robot and published[1].mission == mission("EXECUTING")

    for _ in range(2 * len(STEP_NAMES)):
        tree.tick()
    assert tree.root.status == py_trees.common.Status.SUCCESS
    count = len(published)
    tree.tick()  # a finished tree re-ticked from scratch changes again (steps restart)...
    tree.tick()
    assert len(published) > count
    assert published[-1].tick == tree.count

    snapshotter.detach()
    count = len(published)
    tree.tick()
    assert len(published) == count
    assert snapshotter.snapshot().tick == tree.count


def test_snapshotter_skips_unchanged_ticks():
    root = py_trees.behaviours.Running("Spin")
    tree = py_trees.trees.BehaviourTree(root)
    published: list[TreeSnapshot] = []
    TreeSnapshotter(tree, publish=published.append)
    for _ in range(5):
        tree.tick()
    assert len(published) == 1
    every: list[TreeSnapshot] = []
    TreeSnapshotter(tree, publish=every.append, on_change_only=False)
    tree.tick()
    assert len(every) == 1 and len(published) == 1
