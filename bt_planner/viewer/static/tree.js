// The behaviour tree as an outline: one row per node with its status, feedback and blackboard keys.
// Rows are rebuilt only when the tree's shape changes; otherwise they are updated in place, so a
// collapsed subtree stays collapsed while statuses stream in.

const KIND_GLYPHS = {
  sequence: "→",
  selector: "?",
  parallel: "⇉",
  composite: "◇",
  decorator: "◆",
  behaviour: "•",
};
const ACCESS_LETTERS = { read: "r", write: "w", exclusive_write: "x" };

let shape = null;
const rows = new Map();
const collapsed = new Set();

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

function shapeOf(snapshot) {
  return JSON.stringify([snapshot.root, Object.values(snapshot.nodes).map((n) => [n.id, n.children])]);
}

function buildNode(snapshot, id) {
  const node = snapshot.nodes[id];
  const item = el("li", "node");
  item.setAttribute("role", "treeitem");
  item.dataset.nodeId = id;
  item.dataset.name = node.name;
  item.dataset.kind = node.kind;

  const row = el("div", "row");
  const toggle = el("button", "toggle", node.children.length ? "▾" : "");
  toggle.type = "button";
  toggle.disabled = node.children.length === 0;
  toggle.setAttribute("aria-label", `collapse ${node.name}`);
  toggle.addEventListener("click", () => {
    if (collapsed.has(id)) collapsed.delete(id);
    else collapsed.add(id);
    applyCollapsed(item, id);
  });
  const glyph = el("span", "kind", KIND_GLYPHS[node.kind] || "•");
  glyph.title = `${node.kind} (${node.class})`;
  const name = el("span", "name", node.name);
  name.title = node.class;
  const status = el("span", "status pill");
  const feedback = el("span", "feedback");
  const keys = el("span", "keys");
  row.append(toggle, glyph, name, status, feedback, keys);
  item.append(row);

  rows.set(id, { item, status, feedback, keys });
  if (node.children.length) {
    const list = el("ul", "children");
    list.setAttribute("role", "group");
    for (const child of node.children) list.append(buildNode(snapshot, child));
    item.append(list);
    applyCollapsed(item, id);
  }
  return item;
}

function applyCollapsed(item, id) {
  const isCollapsed = collapsed.has(id);
  item.classList.toggle("collapsed", isCollapsed);
  item.setAttribute("aria-expanded", String(!isCollapsed));
  const toggle = item.querySelector(":scope > .row > .toggle");
  if (toggle && !toggle.disabled) toggle.textContent = isCollapsed ? "▸" : "▾";
}

function updateKeys(container, entries) {
  const text = JSON.stringify(entries);
  if (container.dataset.entries === text) return;
  container.dataset.entries = text;
  container.replaceChildren(
    ...entries.map((entry) => {
      const chip = el("span", `key key-${entry.access}`, `${ACCESS_LETTERS[entry.access] || "?"} ${entry.key}`);
      chip.dataset.key = entry.key;
      chip.dataset.access = entry.access;
      chip.title = `${entry.access} ${entry.key}`;
      return chip;
    }),
  );
}

// Forget the drawn tree (another robot is selected): the next snapshot rebuilds every row.
export function resetTree(container, message) {
  shape = null;
  rows.clear();
  container.replaceChildren(el("p", "empty", message));
}

export function renderTree(container, snapshot) {
  const nextShape = shapeOf(snapshot);
  if (nextShape !== shape) {
    shape = nextShape;
    rows.clear();
    if (!snapshot.root) {
      container.replaceChildren(el("p", "empty", "The snapshot has no tree."));
      return;
    }
    const list = el("ul", "tree-root");
    list.append(buildNode(snapshot, snapshot.root));
    container.replaceChildren(list);
  }
  const onPath = new Set(snapshot.running_path);
  const visited = new Set(snapshot.visited);
  for (const [id, parts] of rows) {
    const node = snapshot.nodes[id];
    parts.item.dataset.status = node.status;
    parts.item.classList.toggle("running-path", onPath.has(id));
    parts.item.classList.toggle("visited", visited.has(id));
    parts.item.classList.toggle("tip", snapshot.tip === id);
    parts.status.dataset.status = node.status;
    parts.status.textContent = node.status;
    parts.feedback.textContent = node.feedback;
    updateKeys(parts.keys, node.blackboard);
  }
}
