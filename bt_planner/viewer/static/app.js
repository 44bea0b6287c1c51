// Wires the page to the server's event stream and redraws every panel for each snapshot.
// No framework and no CDN: this file, tree.js, map.js and mission.js are the whole front end.

import { renderBlackboard, renderMission, renderRobot } from "./mission.js";
import { renderMap } from "./map.js";
import { renderTree } from "./tree.js";

const connection = document.getElementById("connection");
let received = 0;

function setConnection(state, text) {
  connection.dataset.state = state;
  connection.textContent = text;
}

function render(snapshot) {
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
}

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => setConnection("live", "live"));
  events.addEventListener("error", () => setConnection("lost", "reconnecting…"));
  events.addEventListener("snapshot", (event) => {
    try {
      render(JSON.parse(event.data));
    } catch (error) {
      console.error("could not render a snapshot", error);
    }
  });
}

connect();
