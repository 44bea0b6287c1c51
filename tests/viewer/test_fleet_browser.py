"""The fleet viewer in a real headless Chromium, fed by two robots' snapshot topics over real ROS 2.

Two snapshot publishers in the namespaces ``/robot1`` and ``/robot2`` (latched, as a planner node
publishes them) feed a :class:`FleetSnapshotSource`; the page's robot selector switches the tree, mission
and map between the robots' streams. Skips like ``test_browser.py`` when Chromium or Playwright is missing
(fails with ``BT_PLANNER_REQUIRE_BROWSER=1``), and without rclpy.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

pytest.importorskip("rclpy")

from std_msgs.msg import String

from bt_planner.ros import topics
from bt_planner.ros.fleet_snapshot_source import FleetSnapshotSource
from bt_planner.snapshot import TreeSnapshot, to_json
from bt_planner.viewer import ViewerServer
from tests.ros.conftest import hold_domain
from tests.ros.probe import Probe
from tests.viewer.fleet_snapshots import robot_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.ros]

CHROMIUM = (
    os.environ.get("BT_PLANNER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
REQUIRED = os.environ.get("BT_PLANNER_REQUIRE_BROWSER") == "1"
if CHROMIUM is None and not REQUIRED:
    pytest.skip("Chromium not found (Debian: apt-get install -y chromium)", allow_module_level=True)
if not REQUIRED:
    pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python missing (pip install playwright)"
    )

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

ROBOTS = ("robot1", "robot2")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    assert CHROMIUM is not None, "BT_PLANNER_REQUIRE_BROWSER=1 but no chromium on PATH"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[Probe]:
    """A ROS node in this process on a domain of its own, loopback discovery only."""
    with hold_domain() as domain:
        monkeypatch.setenv("ROS_DOMAIN_ID", str(domain))
        monkeypatch.setenv("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
        monkeypatch.delenv("ROS_STATIC_PEERS", raising=False)
        running = Probe(domain_id=domain)
        try:
            yield running
        finally:
            running.close()


def publish(probe: Probe, robot: str, snapshot: TreeSnapshot, *, subscribers: int = 0) -> None:
    topic = topics.TREE_SNAPSHOT.model_copy(update={"name": f"/{robot}/{topics.TREE_SNAPSHOT.name}"})
    probe.publish(topic, String(data=to_json(snapshot)), subscribers=subscribers)


def shown(page: Page) -> dict[str, object]:
    result: dict[str, object] = page.evaluate(
        """() => ({robot: document.body.dataset.shownRobot, tick: document.body.dataset.tick,
                   nodes: [...document.querySelectorAll('#tree li.node')].map(n => n.dataset.name),
                   command: document.getElementById('command').textContent,
                   options: [...document.querySelectorAll('#robot-select option')].map(o => o.value),
                   pickerHidden: document.getElementById('robot-picker').hidden})"""
    )
    return result


def wait_shown(page: Page, robot: str, tick: int) -> None:
    page.wait_for_function(
        "([robot, tick]) => document.body.dataset.shownRobot === robot && document.body.dataset.tick === tick",
        arg=[robot, str(tick)],
        timeout=15_000,
    )


def test_the_selector_switches_the_tree_between_two_robots_streams(probe: Probe, chromium: Browser):
    publish(probe, "robot1", robot_snapshot("robot1", tick=3, x=1.0))  # latched: before the viewer exists
    publish(probe, "robot2", robot_snapshot("robot2", tick=7, x=2.0))
    source = FleetSnapshotSource(robots=ROBOTS)
    with ViewerServer(port=0, robots=ROBOTS) as server:
        source.start(lambda robot, snapshot: server.publish(snapshot, robot=robot), on_robot=server.add_robot)
        page = chromium.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(server.url)
            page.evaluate(  # every tick the page ever draws, to show robot1's later snapshot never is
                """() => { window.drawn = [];
                  new MutationObserver(() => window.drawn.push(
                    document.body.dataset.shownRobot + ':' + document.body.dataset.tick))
                  .observe(document.body, {attributes: true, attributeFilter: ['data-tick']}); }"""
            )
            wait_shown(page, "robot1", 3)  # the first robot is shown first
            first = shown(page)
            assert first["options"] == list(ROBOTS) and first["pickerHidden"] is False
            assert first["nodes"] == ["robot1 mission", "robot1: drive", "robot1: speak"]
            assert first["command"] == "robot1, say hello"

            page.select_option("#robot-select", "robot2")
            wait_shown(page, "robot2", 7)
            second = shown(page)
            assert second["nodes"] == ["robot2 mission", "robot2: drive", "robot2: speak"]
            assert second["command"] == "robot2, say hello"
            assert page.evaluate("() => window.location.hash") == "#robot=robot2"

            hub1 = server.hubs.get("robot1")
            assert hub1 is not None and hub1.latest is not None
            before = hub1.latest.sequence
            publish(probe, "robot1", robot_snapshot("robot1", tick=5, x=1.5), subscribers=1)
            assert hub1.wait_newer(before, timeout=10) is not None, "robot1's new snapshot never arrived"
            publish(probe, "robot2", robot_snapshot("robot2", tick=9, x=2.5), subscribers=1)
            wait_shown(page, "robot2", 9)
            assert "robot1:5" not in page.evaluate("() => window.drawn")  # robot1's stream is closed

            page.select_option("#robot-select", "robot1")
            wait_shown(page, "robot1", 5)  # back on robot1: its newest snapshot at once
            assert shown(page)["nodes"] == ["robot1 mission", "robot1: drive", "robot1: speak"]

            page.goto(f"{server.url}#robot=robot2")  # the address names the robot: a reload keeps it
            page.reload()
            wait_shown(page, "robot2", 9)
            assert page.locator("#robot-select").input_value() == "robot2"
        finally:
            page.close()
            source.stop()
    assert errors == []
    assert source.received["robot1"] >= 2 and source.received["robot2"] >= 2
