// The side panels: command, mission status and plan steps; robot state; blackboard values.

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function describe(action) {
  const params = Object.entries(action.parameters || {})
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join(", ");
  return `${action.action_type}(${params})`;
}

function stepState(index, mission) {
  if (mission.status === "SUCCEEDED") return "done";
  if (mission.action_index === null || mission.action_index === undefined) return "pending";
  if (index < mission.action_index) return "done";
  if (index === mission.action_index) {
    return ["FAILED", "CANCELLED", "PLANNING_FAILED"].includes(mission.status) ? "failed" : "current";
  }
  return "pending";
}

let planKey = null;

export function renderMission(snapshot) {
  const mission = snapshot.mission || {};
  document.getElementById("command").textContent = mission.command || "–";
  const status = document.getElementById("mission-status");
  status.textContent = mission.status || "–";
  status.dataset.status = mission.status || "";
  const attempt = mission.attempt && mission.attempt > 1 ? ` (attempt ${mission.attempt})` : "";
  document.getElementById("mission-details").textContent = `${mission.details || ""}${attempt}`;

  const plan = document.getElementById("plan");
  const actions = (mission.plan && mission.plan.actions) || [];
  const key = JSON.stringify(actions);
  if (key !== planKey) {
    planKey = key;
    plan.replaceChildren(
      ...actions.map((action, index) => {
        const item = el("li", "step");
        item.dataset.index = index;
        item.append(el("code", "call", describe(action)));
        if (action.description) item.append(el("span", "description", action.description));
        return item;
      }),
    );
  }
  for (const item of plan.children) item.dataset.state = stepState(Number(item.dataset.index), mission);
  document.getElementById("plan-reasoning").textContent = (mission.plan && mission.plan.reasoning) || "";
}

export function renderRobot(snapshot) {
  const info = document.getElementById("robot-info");
  const robot = snapshot.robot;
  if (!robot) {
    info.textContent = "";
    return;
  }
  const { x, y, yaw } = robot.pose;
  const holding = robot.holding ? `, holding ${robot.holding}` : "";
  info.textContent =
    `robot (${x.toFixed(2)}, ${y.toFixed(2)}) m, heading ${((yaw * 180) / Math.PI).toFixed(0)}°, ` +
    `battery ${robot.battery_percent.toFixed(0)}%, gripper ${robot.gripper}${holding}` +
    (robot.current_task ? `, task: ${robot.current_task}` : "");
  document.getElementById("world-name").textContent = snapshot.world ? snapshot.world.name : "";
}

export function renderBlackboard(snapshot) {
  const body = document.querySelector("#blackboard tbody");
  const entries = Object.entries(snapshot.blackboard || {});
  if (!entries.length) {
    const row = el("tr");
    row.append(el("td", "empty", "no blackboard values"));
    body.replaceChildren(row);
    return;
  }
  body.replaceChildren(
    ...entries.map(([key, value]) => {
      const row = el("tr");
      row.dataset.key = key;
      const text = typeof value === "string" ? value : JSON.stringify(value);
      row.append(el("th", "", key), el("td", "", text.length > 240 ? `${text.slice(0, 239)}…` : text));
      return row;
    }),
  );
}
