// The approval panel: polls /api/approvals, shows the first pending plan, and approves or rejects it
// with the per-run token the server wrote into the page (sent as X-BT-Planner-Token).

const token = document.querySelector('meta[name="bt-planner-token"]').content;
const panel = document.getElementById("approval-panel");
let shown = null;

function text(tag, content) {
  const element = document.createElement(tag);
  element.textContent = content;
  return element;
}

function show(request) {
  shown = request;
  panel.hidden = request === null;
  document.body.dataset.approval = request === null ? "" : request.id;
  if (request === null) return;
  document.getElementById("approval-command").textContent = request.command;
  const plan = document.getElementById("approval-plan");
  plan.replaceChildren(...request.plan.actions.map((a) => text("li", `${a.action_type} ${JSON.stringify(a.parameters)}`)));
  const reasons = document.getElementById("approval-reasons");
  reasons.replaceChildren(...[...request.reasons, ...request.issues.map((i) => i.message)].map((r) => text("li", r)));
}

async function poll() {
  try {
    const response = await fetch("/api/approvals", { cache: "no-store" });
    const pending = await response.json();
    const first = pending.length > 0 ? pending[0] : null;
    if ((first === null) !== (shown === null) || (first !== null && first.id !== shown.id)) show(first);
  } catch (error) {
    // the server is gone; keep the last state
  }
}

async function answer(verdict) {
  if (shown === null) return;
  const reason = document.getElementById("approval-reason").value;
  const response = await fetch(`/api/approvals/${shown.id}/${verdict}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-BT-Planner-Token": token },
    body: JSON.stringify({ by: "viewer", reason }),
  });
  const body = await response.json();
  const result = document.getElementById("approval-result");
  result.textContent = response.ok ? `${verdict}d` : body.error;
  document.body.dataset.answered = response.ok ? verdict : "error";
  await poll();
}

document.getElementById("approve").addEventListener("click", () => answer("approve"));
document.getElementById("reject").addEventListener("click", () => answer("reject"));
poll();
setInterval(poll, 500);
