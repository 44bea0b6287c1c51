// Wires the page to the server's event stream and redraws every panel for each snapshot.
// No framework and no CDN: this file, tree.js, map.js and mission.js are the whole front end.
//
// A fleet viewer (/api/robots lists robots) shows a robot selector: each robot has its own stream
// (/api/events?robot=NAME), so switching closes one stream and opens the other. The choice is kept in
// the address (#robot=NAME), and the list is re-read every few seconds for robots that join later.

import { renderBlackboard, renderMission, renderRobot } from "./mission.js";
import { renderMap } from "./map.js";
import { renderTree, resetTree } from "./tree.js";

const ROBOTS_POLL_MS = 2000;
const connection = document.getElementById("connection");
const picker = document.getElementById("robot-picker");
const select = document.getElementById("robot-select");
let received = 0;
let events = null;
let robot = null; // null: the server's default stream (a single-robot viewer)
let known = [];

function setConnection(state, text) {
  connection.dataset.state = state;
  connection.textContent = text;
}

function render(snapshot, from) {
  renderTree(document.getElementById("tree"), snapshot);
  renderMission(snapshot);
  renderMap(document.getElementById("map"), snapshot);
  renderRobot(snapshot);
  renderBlackboard(snapshot);
  document.getElementById("tick").textContent = `tick ${snapshot.tick}`;
  document.getElementById("clock").textContent = new Date(snapshot.timestamp * 1000).toLocaleTimeString();
  received += 1;
  document.body.dataset.received = String(received);
  document.body.dataset.tick = String(snapshot.tick);
  document.body.dataset.shownRobot = from ?? "";
}

function connect(name) {
  if (events !== null) events.close();
  robot = name;
  document.body.dataset.robot = name ?? "";
  delete document.body.dataset.tick;
  delete document.body.dataset.shownRobot;
  if (name !== null) resetTree(document.getElementById("tree"), `Waiting for a snapshot of ${name}…`);
  setConnection("connecting", "connecting…");
  const url = name === null ? "/api/events" : `/api/events?robot=${encodeURIComponent(name)}`;
  const stream = new EventSource(url);
  events = stream;
  stream.addEventListener("open", () => setConnection("live", name === null ? "live" : `live · ${name}`));
  stream.addEventListener("error", () => setConnection("lost", "reconnecting…"));
  stream.addEventListener("snapshot", (event) => {
    if (stream !== events) return; // a stream being replaced
    try {
      render(JSON.parse(event.data), name);
    } catch (error) {
      console.error("could not render a snapshot", error);
    }
  });
}

function wanted() {
  const match = /^#robot=(.+)$/.exec(window.location.hash);
  return match === null ? null : decodeURIComponent(match[1]);
}

function option(name) {
  const element = document.createElement("option");
  element.value = name;
  element.textContent = name;
  return element;
}

async function refreshRobots() {
  let names;
  try {
    const response = await fetch("/api/robots", { cache: "no-store" });
    names = (await response.json()).robots;
  } catch (error) {
    return; // the server is gone; keep the last list
  }
  if (names.join("\n") === known.join("\n")) return;
  known = names;
  select.replaceChildren(...names.map(option));
  picker.hidden = names.length === 0;
  document.body.dataset.robots = names.join(",");
  if (robot !== null && names.includes(robot)) {
    select.value = robot;
  } else if (names.length > 0) {
    const first = names.includes(wanted()) ? wanted() : names[0];
    select.value = first;
    connect(first);
  }
}

select.addEventListener("change", () => {
  window.history.replaceState(null, "", `#robot=${encodeURIComponent(select.value)}`);
  connect(select.value);
});

await refreshRobots();
if (events === null) connect(null);
setInterval(refreshRobots, ROBOTS_POLL_MS);
