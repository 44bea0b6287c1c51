"""The viewer's approve/reject endpoints over real loopback HTTP: every refusal, then the one way in."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bt_planner.journal import Journal
from bt_planner.plans.plan import Plan
from bt_planner.tree.mission import ApprovalBroker, ApprovalRequest
from bt_planner.viewer import ViewerServer
from bt_planner.viewer.server import TOKEN_HEADER
from tests.sample_plans import kitchen_plan


@pytest.fixture
def broker() -> ApprovalBroker:
    return ApprovalBroker()


@pytest.fixture
def pending(broker: ApprovalBroker) -> ApprovalRequest:
    plan = Plan.model_validate(kitchen_plan())
    return broker.open(command_id=1, command="fetch", plan=plan, issues=[], reasons=["always"], timeout_s=600)


@pytest.fixture
def viewer(broker: ApprovalBroker) -> Iterator[ViewerServer]:
    with ViewerServer(port=0, approvals=broker, keepalive_s=0.2) as server:
        yield server


def request(
    server: ViewerServer, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def answer(
    server: ViewerServer, request_id: str, verdict: str = "approve", **headers: str
) -> tuple[int, dict[str, str]]:
    sent = {"Content-Type": "application/json", **headers}
    status, _, body = request(server, "POST", f"/api/approvals/{request_id}/{verdict}", headers=sent,
                              body=json.dumps({"by": "carol", "reason": "looks wrong"}).encode())  # fmt: skip
    return status, json.loads(body)


def test_the_page_carries_this_runs_token_and_lists_the_pending_plan(
    viewer: ViewerServer, pending: ApprovalRequest
) -> None:
    status, _, page = request(viewer, "GET", "/")
    assert status == 200
    assert re.search(rb'name="bt-planner-token" content="([^"]+)"', page).group(1).decode() == viewer.token  # type: ignore[union-attr]
    assert len(viewer.token) >= 40 and ViewerServer(port=0).token != viewer.token
    status, _, listed = request(viewer, "GET", "/api/approvals")
    assert [r["id"] for r in json.loads(listed)] == [pending.id]


def test_a_request_without_the_token_or_with_a_wrong_one_is_refused(
    viewer: ViewerServer, broker: ApprovalBroker, pending: ApprovalRequest
) -> None:
    assert answer(viewer, pending.id) == (
        403,
        {"error": f"missing or wrong {TOKEN_HEADER} (the token is in the viewer's page)"},
    )
    assert answer(viewer, pending.id, **{TOKEN_HEADER: "guess"})[0] == 403
    assert broker.pending() == [pending]


def test_a_foreign_origin_or_cross_site_fetch_is_refused_even_with_the_token(
    viewer: ViewerServer, broker: ApprovalBroker, pending: ApprovalRequest
) -> None:
    token = {TOKEN_HEADER: viewer.token}
    status, body = answer(viewer, pending.id, Origin="http://evil.example", **token)
    assert status == 403 and "foreign origin" in body["error"]
    assert answer(viewer, pending.id, Origin=f"http://127.0.0.1:{viewer.port + 1}", **token)[0] == 403
    assert answer(viewer, pending.id, **{"Sec-Fetch-Site": "cross-site"}, **token)[0] == 403
    status, body = answer(viewer, pending.id, Host="attacker.example:80", **token)
    assert status == 403 and body["error"] == "forbidden host"
    assert broker.pending() == [pending]


def test_no_cors_preflight_and_only_json_bodies(viewer: ViewerServer, pending: ApprovalRequest) -> None:
    status, headers, _ = request(viewer, "OPTIONS", f"/api/approvals/{pending.id}/approve",
                                 headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert status == 405 and not any(name.startswith("access-control-") for name in headers)
    status, _, _ = request(viewer, "POST", f"/api/approvals/{pending.id}/approve",
                           headers={TOKEN_HEADER: viewer.token, "Content-Type": "text/plain"}, body=b"{}")  # fmt: skip
    assert status == 415


def test_the_token_from_the_page_answers_once_and_names_who(
    viewer: ViewerServer, broker: ApprovalBroker, pending: ApprovalRequest
) -> None:
    token = {TOKEN_HEADER: viewer.token, "Origin": f"http://127.0.0.1:{viewer.port}"}
    status, decision = answer(viewer, pending.id, "reject", **token)
    assert status == 200 and decision["approved"] is False
    assert (decision["by"], decision["via"], decision["reason"]) == ("carol", "viewer", "looks wrong")
    status, again = answer(viewer, pending.id, "approve", **token)
    assert status == 409 and "already rejected by carol via viewer" in again["error"]
    assert broker.pending() == []


def test_a_non_loopback_bind_needs_an_explicit_opt_in_and_still_refuses_approvals(
    broker: ApprovalBroker, pending: ApprovalRequest
) -> None:
    with pytest.raises(ValueError, match="not loopback"):
        ViewerServer(port=0, host="0.0.0.0")
    with ViewerServer(port=0, host="0.0.0.0", approvals=broker, allow_remote=True) as exposed:
        status, body = answer(exposed, pending.id, **{TOKEN_HEADER: exposed.token})
    assert status == 403 and "bound to a loopback address" in body["error"]
    assert broker.pending() == [pending]


def test_the_history_page_and_its_api_read_the_journal(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.db") as journal:
        command_id = journal.begin_command("say hi", source="api")
        journal.flush()
        with ViewerServer(port=0, journal=journal) as server:
            status, _, page = request(server, "GET", "/history")
            assert status == 200 and b"history.js" in page
            _, _, listed = request(server, "GET", "/api/journal/commands")
            assert [c["command"] for c in json.loads(listed)] == ["say hi"]
            _, _, shown = request(server, "GET", f"/api/journal/commands/{command_id}")
            assert [e["kind"] for e in json.loads(shown)["events"]] == ["received"]
            assert request(server, "GET", "/api/journal/commands/42")[0] == 404
    with ViewerServer(port=0) as bare:
        assert request(bare, "GET", "/api/journal/commands")[0] == 404
