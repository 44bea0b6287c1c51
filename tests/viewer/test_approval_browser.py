"""The approval panel in a real headless Chromium: its own page approves; another origin's page cannot.

Skips like ``test_browser.py`` when Chromium or Playwright is missing (fails with ``BT_PLANNER_REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from bt_planner.plans.plan import Plan
from bt_planner.tree.mission import ApprovalBroker
from bt_planner.viewer import ViewerServer
from tests.sample_plans import kitchen_plan

pytestmark = pytest.mark.browser

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

from playwright.sync_api import Browser, sync_playwright  # noqa: E402


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


def _pending(broker: ApprovalBroker) -> str:
    plan = Plan.model_validate(kitchen_plan())
    return broker.open(
        command_id=1, command="fetch the cup", plan=plan, issues=[], reasons=["always"], timeout_s=600
    ).id


def test_the_viewer_page_shows_the_plan_and_its_approve_button_approves(chromium: Browser) -> None:
    broker = ApprovalBroker()
    request_id = _pending(broker)
    with ViewerServer(port=0, approvals=broker) as server:
        page = chromium.new_page()
        page.goto(server.url)
        page.wait_for_function(
            "(id) => document.body.dataset.approval === id", arg=request_id, timeout=10_000
        )
        assert page.locator("#approval-plan li").count() == 5
        page.click("#approve")
        page.wait_for_function("() => document.body.dataset.answered === 'approve'", timeout=10_000)
        page.close()
    decision = broker.decision(request_id)
    assert decision is not None and decision.approved and decision.via == "viewer"


def test_a_page_from_another_origin_cannot_approve_even_knowing_the_token(chromium: Browser) -> None:
    broker = ApprovalBroker()
    request_id = _pending(broker)
    with ViewerServer(port=0, approvals=broker) as target, ViewerServer(port=0) as other_origin:
        context = chromium.new_context(bypass_csp=True)  # the other page's own CSP must not be what stops it
        page = context.new_page()
        page.goto(other_origin.url)  # http://127.0.0.1:<another port>/ is another origin
        url = f"{target.url}api/approvals/{request_id}/approve"
        outcomes = page.evaluate(
            """async ([url, token]) => {
                const tried = {};
                try {  // a custom header forces a CORS preflight, which the viewer refuses
                  const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json",
                                              "X-BT-Planner-Token": token}, body: "{}"});
                  tried.preflighted = r.status;
                } catch (error) { tried.preflighted = "blocked"; }
                // a 'simple' request needs no preflight: it reaches the server, with this page's Origin
                const r = await fetch(url, {method: "POST", mode: "no-cors", body: "{}"});
                tried.simple = r.type;
                return tried;
            }""",
            [url, target.token],
        )
        context.close()
    assert outcomes == {"preflighted": "blocked", "simple": "opaque"}
    assert [r.id for r in broker.pending()] == [request_id]  # still waiting: nothing was approved
