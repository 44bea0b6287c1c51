"""The viewer's hub, HTTP routes and event stream, exercised over real loopback sockets (no browser)."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bt_planner.errors import SourceUnavailable
from bt_planner.snapshot import TreeSnapshot, capture, from_json, to_json
from bt_planner.viewer import SnapshotHub, ViewerServer, open_source
from bt_planner.viewer.sources.event_stream import SseSource
from bt_planner.viewer.sources.json_lines import JsonLinesSource
from bt_planner.viewer.sse import Event, frame, parse
from tests.snapshot_trees import kitchen_tree, kitchen_world, robot_at


@pytest.fixture
def viewer() -> Iterator[ViewerServer]:
    with ViewerServer(port=0, keepalive_s=0.2) as server:
        yield server


def get(server: ViewerServer, path: str, *, host: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {} if host is None else {"Host": host}
    connection.request("GET", path, headers=headers)
    return connection.getresponse()


def snapshots(count: int) -> list[TreeSnapshot]:
    """``count`` distinct snapshots of the kitchen tree, one per tick."""
    tree = kitchen_tree()
    taken = []
    for tick in range(1, count + 1):
        tree.tick()
        taken.append(capture(tree.root, tick=tick, robot=robot_at(0.1 * tick, 0), world=kitchen_world()))
    return taken


class Collector:
    """Receives snapshots from a source's thread; ``wait_for`` blocks until a condition holds."""

    def __init__(self) -> None:
        self.received: list[TreeSnapshot] = []
        self._condition = threading.Condition()

    def __call__(self, snapshot: TreeSnapshot) -> None:
        with self._condition:
            self.received.append(snapshot)
            self._condition.notify_all()

    def wait_until(
        self, condition: Callable[[list[TreeSnapshot]], bool], timeout: float = 10.0
    ) -> list[TreeSnapshot]:
        with self._condition:
            assert self._condition.wait_for(lambda: condition(self.received), timeout=timeout), self.received
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[TreeSnapshot]:
        return self.wait_until(lambda received: len(received) >= count, timeout)


def test_hub_keeps_the_latest_drops_repeats_and_releases_waiters_on_close():
    hub = SnapshotHub()
    first, second = snapshots(2)
    assert hub.latest is None
    assert hub.wait_newer(0, timeout=0.01) is None
    assert hub.publish(first)
    assert not hub.publish(first.model_copy(update={"timestamp": first.timestamp + 5, "tick": 99}))
    assert hub.publish(second)
    latest = hub.latest
    assert latest is not None and latest.sequence == 2 and latest.snapshot == second
    assert from_json(latest.json) == second
    assert hub.wait_newer(1, timeout=0.01) == latest

    results: list[object] = []
    waiter = threading.Thread(target=lambda: results.append(hub.wait_newer(2)))
    waiter.start()
    hub.close()
    waiter.join(timeout=5)
    assert results == [None]
    assert not hub.publish(first)


def test_sse_framing_round_trips_and_tolerates_comments_and_crlf():
    text = frame(data='{"a": 1}', event_id=3).decode() + ": keepalive\r\n\r\n" + frame(data="x\ny").decode()
    events = list(parse(text.splitlines(keepends=True)))
    assert events == [
        Event(event="snapshot", data='{"a": 1}', event_id="3"),
        Event(event="snapshot", data="x\ny"),
    ]


def test_page_and_assets_are_served_from_the_package_with_a_strict_policy(viewer: ViewerServer):
    page = get(viewer, "/")
    body = page.read().decode()
    assert page.status == 200 and page.getheader("Content-Type", "").startswith("text/html")
    assert "default-src 'self'" in (page.getheader("Content-Security-Policy") or "")
    assert 'src="/static/app.js"' in body
    assert set(re.findall(r"https?://[^\s\"']+", body)) <= {"http://www.w3.org/2000/svg"}
    static = Path(__file__).parents[2] / "bt_planner" / "viewer" / "static"
    for asset in ("app.js", "tree.js", "map.js", "mission.js", "viewer.css"):
        response = get(viewer, f"/static/{asset}")
        content = response.read()
        assert response.status == 200, asset
        assert content == (static / asset).read_bytes()
        assert set(re.findall(rb"https?://[^\s\"'`]+", content)) <= {b"http://www.w3.org/2000/svg"}, asset
    assert get(viewer, "/static/app.js").getheader("Content-Type", "").startswith("text/javascript")
    assert get(viewer, "/static/../server.py").status == 404
    assert get(viewer, "/static/missing.js").status == 404
    assert get(viewer, "/nope").status == 404


def test_requests_for_other_hosts_are_refused(viewer: ViewerServer):
    assert get(viewer, "/", host="evil.example:80").status == 403
    assert get(viewer, "/api/snapshot", host=f"attacker.test:{viewer.port}").status == 403
    assert get(viewer, "/healthz", host=f"localhost:{viewer.port}").status == 200


def test_snapshot_endpoints_serve_the_latest_in_both_formats(viewer: ViewerServer):
    assert get(viewer, "/api/snapshot").status == 404
    first, second = snapshots(2)
    viewer.publish(first)
    viewer.publish(second)
    response = get(viewer, "/api/snapshot")
    assert response.status == 200 and from_json(response.read()) == second
    js = json.loads(get(viewer, "/api/py_trees_js").read())
    assert set(js["behaviours"]) == set(second.nodes) and js["visited_path"] == second.visited
    schema = json.loads(get(viewer, "/api/schema").read())
    assert schema["title"] == "TreeSnapshot"


def test_event_stream_delivers_the_latest_at_once_then_each_change(viewer: ViewerServer):
    taken = snapshots(4)
    viewer.publish(taken[0])
    collector = Collector()
    source = SseSource(viewer.url)
    source.start(collector)
    try:
        assert collector.wait_for(1)[0] == taken[0]
        assert viewer.wait_for_clients(1, timeout=10)
        for snapshot in taken[1:]:
            viewer.publish(snapshot)
            collector.wait_for(len(collector.received) + 1)
        assert collector.received == taken
        assert source.description.endswith("/api/events")
    finally:
        source.stop()
    assert not source.connected.is_set()


def test_stopping_the_server_ends_open_streams_and_the_client_reconnects_to_a_new_one():
    server = ViewerServer(port=0, keepalive_s=0.2).start()
    port = server.port
    first, second = snapshots(2)
    server.publish(first)
    collector = Collector()
    source = SseSource(f"http://127.0.0.1:{port}/api/events", reconnect_s=0.05)
    source.start(collector)
    try:
        collector.wait_for(1)
        server.stop()
        replacement = ViewerServer(port=port, keepalive_s=0.2).start()
        try:
            replacement.publish(second)
            assert collector.wait_for(2)[-1] == second
        finally:
            replacement.stop()
    finally:
        source.stop()


def test_file_source_replays_json_lines_and_skips_bad_lines(tmp_path: Path):
    taken = snapshots(3)
    recording = tmp_path / "run.jsonl"
    recording.write_text(
        "\n".join([to_json(taken[0]), "not json", "", to_json(taken[1]), '{"version": 7}', to_json(taken[2])])
        + "\n",
        encoding="utf-8",
    )
    source = open_source(str(recording))
    assert isinstance(source, JsonLinesSource)
    collector = Collector()
    source.start(collector)
    assert source.finished.wait(timeout=10)
    assert collector.wait_for(3) == taken
    source.stop()


def test_open_source_parses_specs_and_explains_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    assert isinstance(open_source("http://127.0.0.1:9"), SseSource)
    assert isinstance(open_source("-"), JsonLinesSource)
    with pytest.raises(SourceUnavailable, match="no such snapshot file"):
        open_source(str(tmp_path / "missing.jsonl"))
    monkeypatch.setattr("bt_planner.ros.availability.ros_available", lambda: False)
    with pytest.raises(SourceUnavailable, match="rclpy"):
        open_source("ros:other_tree")
