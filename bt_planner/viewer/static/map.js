// A 2D top-down map of the world in SVG, drawn in world metres (+x right, +y up, as in ROS):
// forbidden zones, obstacles, named locations, objects (a held object rides on the robot),
// the robot with its heading, and the path it has driven.

const SVG = "http://www.w3.org/2000/svg";
const TRAIL_LIMIT = 2000;
const ROBOT_RADIUS = 0.25;
const HAND_REACH = 1.0;

let trail = [];
let trailWorld = null;

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function titled(element, text) {
  element.append(svg("title", {}, text));
  return element;
}

function label(x, y, text, className) {
  return svg("text", { x, y: -y, class: className }, text);
}

function objectPosition(world, object) {
  if (object.position) return object.position;
  const location = world.locations[object.location];
  return location ? location.position : null;
}

function extend(bounds, x, y, margin = 0) {
  bounds.minX = Math.min(bounds.minX, x - margin);
  bounds.maxX = Math.max(bounds.maxX, x + margin);
  bounds.minY = Math.min(bounds.minY, y - margin);
  bounds.maxY = Math.max(bounds.maxY, y + margin);
}

function boundsOf(world, robot) {
  const bounds = { minX: 0, maxX: 0, minY: 0, maxY: 0 };
  for (const location of Object.values(world.locations)) extend(bounds, location.position.x, location.position.y);
  for (const object of Object.values(world.objects)) {
    const p = objectPosition(world, object);
    if (p) extend(bounds, p.x, p.y);
  }
  for (const obstacle of Object.values(world.obstacles)) extend(bounds, obstacle.center.x, obstacle.center.y, obstacle.radius);
  for (const zone of Object.values(world.forbidden_zones)) {
    if (zone.shape === "circle") extend(bounds, zone.center.x, zone.center.y, zone.radius);
    else for (const v of zone.vertices) extend(bounds, v.x, v.y);
  }
  if (robot) extend(bounds, robot.pose.x, robot.pose.y, ROBOT_RADIUS);
  for (const [x, y] of trail) extend(bounds, x, y);
  const pad = 1.5;
  return { x: bounds.minX - pad, y: bounds.minY - pad, w: bounds.maxX - bounds.minX + 2 * pad, h: bounds.maxY - bounds.minY + 2 * pad };
}

function grid(box) {
  const group = svg("g", { class: "grid" });
  for (let x = Math.ceil(box.x); x <= box.x + box.w; x += 1) {
    group.append(svg("line", { x1: x, y1: -(box.y + box.h), x2: x, y2: -box.y, class: x === 0 ? "axis" : "" }));
  }
  for (let y = Math.ceil(box.y); y <= box.y + box.h; y += 1) {
    group.append(svg("line", { x1: box.x, y1: -y, x2: box.x + box.w, y2: -y, class: y === 0 ? "axis" : "" }));
  }
  return group;
}

function zones(world) {
  const group = svg("g", { class: "zones" });
  for (const [name, zone] of Object.entries(world.forbidden_zones)) {
    let shape;
    let at;
    if (zone.shape === "circle") {
      shape = svg("circle", { cx: zone.center.x, cy: -zone.center.y, r: zone.radius });
      at = zone.center;
    } else {
      shape = svg("polygon", { points: zone.vertices.map((v) => `${v.x},${-v.y}`).join(" ") });
      at = {
        x: zone.vertices.reduce((s, v) => s + v.x, 0) / zone.vertices.length,
        y: zone.vertices.reduce((s, v) => s + v.y, 0) / zone.vertices.length,
      };
    }
    shape.setAttribute("class", "zone");
    shape.dataset.zone = name;
    group.append(titled(shape, `forbidden zone ${name}`), label(at.x, at.y, name, "zone-label"));
  }
  return group;
}

function obstacles(world) {
  const group = svg("g", { class: "obstacles" });
  for (const [name, obstacle] of Object.entries(world.obstacles)) {
    const shape = svg("circle", { cx: obstacle.center.x, cy: -obstacle.center.y, r: obstacle.radius, class: "obstacle" });
    shape.dataset.obstacle = name;
    group.append(titled(shape, `obstacle ${name}`), label(obstacle.center.x, obstacle.center.y - obstacle.radius - 0.25, name, "obstacle-label"));
  }
  return group;
}

function locations(world) {
  const group = svg("g", { class: "locations" });
  for (const [name, location] of Object.entries(world.locations)) {
    const { x, y } = location.position;
    const marker = svg("rect", { x: x - 0.15, y: -y - 0.15, width: 0.3, height: 0.3, class: "location" });
    marker.dataset.location = name;
    marker.dataset.x = x;
    marker.dataset.y = y;
    group.append(titled(marker, `${name}: ${location.description || ""}`), label(x, y - 0.45, name, "location-label"));
  }
  return group;
}

function objects(world, robot) {
  const group = svg("g", { class: "objects" });
  for (const [id, object] of Object.entries(world.objects)) {
    const held = Boolean(robot && robot.holding === id);
    let p = objectPosition(world, object);
    // A held object is in the hand; trust its world position only if the world keeps up with the robot.
    if (held && (!p || Math.hypot(p.x - robot.pose.x, p.y - robot.pose.y) > HAND_REACH)) {
      p = { x: robot.pose.x, y: robot.pose.y };
    }
    if (!p) continue;
    const dot = svg("circle", { cx: p.x, cy: -p.y, r: 0.12, class: held ? "object held" : "object" });
    if (object.color) dot.setAttribute("fill", object.color);
    dot.dataset.object = id;
    dot.dataset.x = p.x;
    dot.dataset.y = p.y;
    dot.dataset.held = String(held);
    group.append(titled(dot, `${id} (${object.color || ""} ${object.type})${held ? " held" : ""}`));
    group.append(label(p.x + 0.18, p.y + 0.12, id, "object-label"));
  }
  return group;
}

function robotShape(robot) {
  const { x, y, yaw } = robot.pose;
  const group = svg("g", {
    id: "robot",
    transform: `translate(${x} ${-y}) rotate(${(-yaw * 180) / Math.PI})`,
  });
  group.dataset.x = x;
  group.dataset.y = y;
  group.dataset.yaw = yaw;
  group.append(
    svg("circle", { r: ROBOT_RADIUS, class: "robot-body" }),
    svg("path", { d: `M ${ROBOT_RADIUS * 1.8} 0 L 0 ${-ROBOT_RADIUS * 0.6} L 0 ${ROBOT_RADIUS * 0.6} Z`, class: "robot-heading" }),
  );
  return titled(group, `robot at (${x.toFixed(2)}, ${y.toFixed(2)}), heading ${((yaw * 180) / Math.PI).toFixed(0)}°`);
}

function rememberPose(world, robot) {
  if (world.name !== trailWorld) {
    trail = [];
    trailWorld = world.name;
  }
  if (!robot) return;
  const last = trail[trail.length - 1];
  const here = [robot.pose.x, robot.pose.y];
  if (!last || Math.hypot(last[0] - here[0], last[1] - here[1]) > 0.01) trail.push(here);
  if (trail.length > TRAIL_LIMIT) trail = trail.slice(-TRAIL_LIMIT);
}

export function renderMap(svgRoot, snapshot) {
  const world = snapshot.world;
  const robot = snapshot.robot || (world ? world.robot : null);
  if (!world) {
    svgRoot.replaceChildren(svg("text", { x: 0, y: 0, class: "map-empty" }, "no world in this snapshot"));
    svgRoot.setAttribute("viewBox", "-1 -1 12 4");
    svgRoot.dataset.world = "";
    return;
  }
  rememberPose(world, robot);
  const box = boundsOf(world, robot);
  svgRoot.setAttribute("viewBox", `${box.x} ${-(box.y + box.h)} ${box.w} ${box.h}`);
  svgRoot.dataset.world = world.name;
  const path = svg("polyline", { points: trail.map(([x, y]) => `${x},${-y}`).join(" "), class: "trail" });
  const layers = [grid(box), zones(world), obstacles(world), locations(world), path];
  if (robot) layers.push(robotShape(robot));
  layers.push(objects(world, robot));
  svgRoot.replaceChildren(...layers);
}
