"""The viewer page in a real headless Chromium (Debian ``chromium`` driven by Playwright for Python).

A kitchen / red-cup mission tree is ticked while a scripted robot drives to the kitchen, picks up the
cup, carries it to the table and puts it down; after every tick the test waits until the page has drawn
that tick, then reads the tree and the map from the DOM. A screenshot lands in ``test-artifacts/``.

Skips (with the reason) only when Chromium or Playwright is missing; with ``BT_PLANNER_REQUIRE_BROWSER=1``
(set it in CI) a missing browser fails instead.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import py_trees
import pytest

from bt_planner.core.geometry import Vec3
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.execution import ActionStatus, execute_plan
from bt_planner.plans.plan import Plan
from bt_planner.sim import SimulatedRobot
from bt_planner.snapshot import MissionContext, SnapshotContext, TreeSnapshot, TreeSnapshotter, capture
from bt_planner.tree.compiler import CompiledPlan
from bt_planner.viewer import ViewerServer
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan
from tests.snapshot_trees import STEP_NAMES, Step, kitchen_tree, kitchen_world, mission, robot_at

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = (
    os.environ.get("BT_PLANNER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
REQUIRED = os.environ.get("BT_PLANNER_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if CHROMIUM is None and not REQUIRED:
    pytest.skip("Chromium not found (Debian: apt-get install -y chromium)", allow_module_level=True)
if not REQUIRED:
    pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python missing (pip install playwright)"
    )

from playwright.sync_api import BrowserContext, Page, sync_playwright  # noqa: E402

ORIGIN = (0.0, 0.0)
KITCHEN = (3.0, 2.0)
TABLE = (5.0, 1.0)
CUP_START = Vec3(x=3.2, y=2.1, z=0.8)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    assert CHROMIUM is not None, "BT_PLANNER_REQUIRE_BROWSER=1 but no chromium on PATH"
    profile = tmp_path_factory.mktemp("chromium-profile")  # empty --user-data-dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        yield context
        context.close()


class PageWatch:
    """A page plus everything it complained about or fetched, so a test can assert there was nothing odd."""

    def __init__(self, page: Page, server: ViewerServer) -> None:
        self.page = page
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console", lambda message: self.errors.append(message.text) if message.type == "error" else None
        )
        origin = server.url.rstrip("/")
        page.on(
            "request",
            lambda request: None if request.url.startswith(origin) else self.foreign.append(request.url),
        )

    def tick_shown(self, tick: int) -> None:
        """Wait until the page has rendered the snapshot of ``tick``."""
        self.page.wait_for_function(
            "(tick) => document.body.dataset.tick === tick", arg=str(tick), timeout=10_000
        )

    def node(self, name: str) -> dict[str, Any]:
        locator = self.page.locator(f'#tree li.node[data-name="{name}"]')
        result: dict[str, Any] = locator.evaluate(
            """(el) => ({status: el.dataset.status, onPath: el.classList.contains('running-path'),
                        feedback: el.querySelector(':scope > .row .feedback').textContent,
                        keys: [...el.querySelectorAll(':scope > .row .key')].map(k => k.dataset.access + ' ' + k.dataset.key)})"""
        )
        return result

    def cup(self) -> dict[str, Any]:
        result: dict[str, Any] = self.page.locator('#map [data-object="red_cup"]').evaluate(
            "(el) => ({x: Number(el.dataset.x), y: Number(el.dataset.y), held: el.dataset.held === 'true'})"
        )
        return result


@pytest.fixture
def viewer_page(browser: BrowserContext) -> Iterator[tuple[ViewerServer, PageWatch]]:
    with ViewerServer(port=0) as server:
        page = browser.new_page()
        watch = PageWatch(page, server)
        page.goto(server.url)
        assert server.wait_for_clients(1, timeout=10), "the page never opened the event stream"
        yield server, watch
        page.close()


def _lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    t = max(0.0, min(1.0, t))
    return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t


class ScriptedKitchen:
    """Where robot and cup are, read off the steps' progress: a stand-in for the simulator."""

    def __init__(self, tree: py_trees.trees.BehaviourTree) -> None:
        self.tree = tree
        self.steps = [b for b in tree.root.iterate() if isinstance(b, Step)]
        self.steps.sort(key=lambda step: step.index)

    def _progress(self, step: Step) -> float:
        if step.status == py_trees.common.Status.SUCCESS:
            return 1.0
        if step.status == py_trees.common.Status.RUNNING:
            return step.count / step.ticks
        return 0.0

    def context(self) -> SnapshotContext:
        done = [self._progress(step) for step in self.steps]
        if done[0] < 1:
            x, y = _lerp(ORIGIN, KITCHEN, done[0])
        else:
            x, y = _lerp(KITCHEN, TABLE, done[3])
        yaw = (
            math.atan2(KITCHEN[1], KITCHEN[0])
            if done[0] < 1
            else math.atan2(TABLE[1] - KITCHEN[1], TABLE[0] - KITCHEN[0])
        )
        holding = done[2] == 1 and done[4] < 1
        if done[4] == 1:
            cup = Vec3(x=TABLE[0], y=TABLE[1], z=0.75)
        elif holding:
            cup = Vec3(x=x, y=y, z=0.9)
        else:
            cup = CUP_START
        finished = self.tree.root.status == py_trees.common.Status.SUCCESS
        current = next((i for i, step in enumerate(self.steps) if done[i] < 1), None)
        robot: RobotState = robot_at(x, y, yaw, holding="red_cup" if holding else None)
        return SnapshotContext(
            mission=mission("SUCCEEDED" if finished else "EXECUTING", action_index=current),
            robot=robot,
            world=kitchen_world(cup=cup),
        )


def test_page_shows_every_node_and_follows_the_kitchen_run_to_the_table(
    viewer_page: tuple[ViewerServer, PageWatch],
):
    server, watch = viewer_page
    page = watch.page
    tree = kitchen_tree(ticks=3)
    scripted = ScriptedKitchen(tree)
    TreeSnapshotter(tree, publish=server.publish, context=scripted.context)

    tree.tick()
    watch.tick_shown(1)
    first = capture(tree.root)
    shown = page.locator("#tree li.node").evaluate_all("(els) => els.map((el) => el.dataset.name)")
    assert sorted(shown) == sorted(node.name for node in first.nodes.values())
    assert len(shown) == len(first.nodes) == 11
    navigate = watch.node(STEP_NAMES[0])
    assert navigate["status"] == "RUNNING" and navigate["onPath"] and navigate["feedback"] == "step 0: 1/3"
    assert navigate["keys"] == ["read /robot/pose", "write /mission/action_index"]
    assert watch.node(STEP_NAMES[4])["status"] == "INVALID"
    assert watch.node("Report failure")["onPath"] is False
    assert page.locator("#command").text_content() == mission("EXECUTING").command
    assert page.locator("#plan li").count() == 5
    assert page.locator("#connection").get_attribute("data-state") == "live"
    cup_positions = [watch.cup()]
    robot_positions = [page.locator("#robot").get_attribute("data-x")]

    statuses: list[list[str]] = []
    carrying_shot = False
    tick = 1
    while tree.root.status == py_trees.common.Status.RUNNING:
        tree.tick()
        tick += 1
        watch.tick_shown(tick)
        statuses.append([watch.node(name)["status"] for name in STEP_NAMES])
        cup_positions.append(watch.cup())
        robot_positions.append(page.locator("#robot").get_attribute("data-x"))
        running = [name for name in STEP_NAMES if watch.node(name)["status"] == "RUNNING"]
        assert len(running) <= 1
        if running:
            assert watch.node(running[0])["onPath"]
            index = STEP_NAMES.index(running[0])
            assert page.locator(f'#plan li[data-index="{index}"]').get_attribute("data-state") == "current"
        if cup_positions[-1]["held"] and not carrying_shot:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "viewer-kitchen-carrying.png"), full_page=True)
            carrying_shot = True
        assert tick < 50, "the mission never finished"

    # Statuses only ever move forward: INVALID -> RUNNING -> SUCCESS, one step after the other.
    order = {"INVALID": 0, "RUNNING": 1, "SUCCESS": 2}
    for before, after in itertools.pairwise(statuses):
        assert all(order[a] >= order[b] for a, b in zip(after, before, strict=True)), (before, after)
    assert statuses[-1] == ["SUCCESS"] * 5
    assert any(row.count("SUCCESS") == 2 and "RUNNING" in row for row in statuses)

    # The map: the cup starts on the kitchen counter, rides with the robot, ends up on the table.
    assert cup_positions[0] == {"x": CUP_START.x, "y": CUP_START.y, "held": False}
    assert any(position["held"] for position in cup_positions)
    end = cup_positions[-1]
    assert end["held"] is False
    table = page.locator('#map [data-location="table"]')
    assert (
        math.hypot(
            end["x"] - float(table.get_attribute("data-x") or "nan"),
            end["y"] - float(table.get_attribute("data-y") or "nan"),
        )
        < 0.3
    )
    assert len(set(robot_positions)) > 3
    assert page.locator("#map [data-zone]").count() == 2 and page.locator("#map [data-obstacle]").count() == 1

    assert page.locator("#mission-status").text_content() == "SUCCEEDED"
    assert page.locator("#plan li").evaluate_all("(els) => els.map((el) => el.dataset.state)") == ["done"] * 5
    assert page.locator('#blackboard tr[data-key="/mission/action_index"] td').text_content() == "4"
    assert page.locator("#tree li.running-path").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viewer-kitchen.png"), full_page=True)
    assert watch.errors == [] and watch.foreign == []


def test_a_new_tree_replaces_the_old_and_a_bare_tree_needs_no_world(
    viewer_page: tuple[ViewerServer, PageWatch],
):
    server, watch = viewer_page
    page = watch.page
    first = kitchen_tree()
    first.tick()
    server.publish(capture(first.root, tick=1, world=kitchen_world(), robot=robot_at(0, 0)))
    watch.tick_shown(1)
    page.locator('#tree li.node[data-name="Run"] > .row .toggle').click()
    assert page.locator('#tree li.node[data-name="Run"]').get_attribute("aria-expanded") == "false"
    assert not page.locator(f'#tree li.node[data-name="{STEP_NAMES[0]}"]').is_visible()

    first.tick()
    server.publish(capture(first.root, tick=2, world=kitchen_world(), robot=robot_at(0, 0)))
    watch.tick_shown(2)
    assert page.locator('#tree li.node[data-name="Run"]').get_attribute("aria-expanded") == "false"

    replan = py_trees.composites.Sequence("Re-plan: go around", memory=True)
    replan.add_children([py_trees.behaviours.Running("Turn left"), py_trees.behaviours.Success("Unused")])
    replan.tick_once()
    server.publish(capture(replan, tick=3))
    watch.tick_shown(3)
    names = page.locator("#tree li.node").evaluate_all("(els) => els.map((el) => el.dataset.name)")
    assert names == ["Re-plan: go around", "Turn left", "Unused"]
    assert page.locator('#tree li.node[data-name="Turn left"]').get_attribute("data-status") == "RUNNING"
    assert page.locator("#map text.map-empty").text_content() == "no world in this snapshot"
    assert page.locator("#mission-status").text_content() == "\N{EN DASH}"
    assert watch.errors == [] and watch.foreign == []


def test_a_simulated_kitchen_run_streams_live_to_the_page(
    viewer_page: tuple[ViewerServer, PageWatch], world: World, sim_robot: SimulatedRobot, limits: SafetyLimits
):
    """The real thing: the compiled kitchen plan ticked against the simulator, every tick pushed to the page."""
    server, watch = viewer_page
    page = watch.page
    plan = Plan.model_validate(kitchen_plan())
    seen: list[dict[str, Any]] = []
    last: list[TreeSnapshot] = []

    def on_tick(compiled: CompiledPlan) -> None:
        running = [leaf.index for leaf in compiled.leaves if leaf.outcome.status is ActionStatus.RUNNING]
        snapshot = capture(
            compiled.root,
            tick=len(last) + 1,
            mission=MissionContext(
                command=KITCHEN_COMMAND,
                plan=plan.to_wire(),
                status="EXECUTING",
                action_index=running[0] if running else None,
            ),
            robot=sim_robot.state(),
            world=sim_robot.world_state(),
        )
        last.append(snapshot)
        if not server.publish(snapshot):
            return  # nothing new to show this tick
        watch.tick_shown(snapshot.tick)
        state: dict[str, Any] = page.evaluate(
            """(names) => ({
                statuses: names.map((n) => document.querySelector(`#tree li.node[data-name="${n}"]`).dataset.status),
                nodes: document.querySelectorAll('#tree li.node').length,
                cup: (({x, y, held}) => ({x: Number(x), y: Number(y), held: held === 'true'}))(
                    document.querySelector('#map [data-object="red_cup"]').dataset),
            })""",
            [leaf.name for leaf in compiled.leaves],
        )
        assert state["nodes"] == len(snapshot.nodes)
        seen.append(state)
        if state["cup"]["held"] and not any(s["cup"]["held"] for s in seen[:-1]):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "viewer-sim-carrying.png"), full_page=True)

    report = execute_plan(plan, robot=sim_robot, world=world, limits=limits, on_tick=on_tick)
    assert report.success, report.failure
    final = last[-1].model_copy(
        update={"tick": len(last) + 1, "mission": last[-1].mission.model_copy(update={"status": "SUCCEEDED"})}
    )
    assert server.publish(final)
    watch.tick_shown(final.tick)

    assert len(seen) > 20, "too few distinct snapshots reached the page"
    order = {"INVALID": 0, "RUNNING": 1, "SUCCESS": 2}
    for before, after in itertools.pairwise(seen):
        pairs = zip(after["statuses"], before["statuses"], strict=True)
        assert all(order[a] >= order[b] for a, b in pairs), (before, after)
    for index in range(5):
        assert any(s["statuses"][index] == "RUNNING" for s in seen), f"action {index} never showed RUNNING"
    assert seen[-1]["statuses"] == ["SUCCESS"] * 5

    cups = [s["cup"] for s in seen]
    assert not cups[0]["held"] and math.hypot(cups[0]["x"] - 3.2, cups[0]["y"] - 2.1) < 1e-6
    assert any(cup["held"] for cup in cups)
    carried = [cup for cup in cups if cup["held"]]
    assert math.hypot(carried[-1]["x"] - carried[0]["x"], carried[-1]["y"] - carried[0]["y"]) > 1.0
    end = cups[-1]
    assert not end["held"] and math.hypot(end["x"] - TABLE[0], end["y"] - TABLE[1]) < 1.0
    assert page.locator("#mission-status").text_content() == "SUCCEEDED"
    assert "holding" not in (page.locator("#robot-info").text_content() or "")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viewer-sim-kitchen.png"), full_page=True)
    assert watch.errors == [] and watch.foreign == []
