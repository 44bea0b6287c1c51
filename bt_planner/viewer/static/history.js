// The history page: the journal's commands (newest first); click one to list its events.

function cell(content) {
  const td = document.createElement("td");
  td.textContent = content ?? "";
  return td;
}

async function showEvents(id) {
  const response = await fetch(`/api/journal/commands/${id}`, { cache: "no-store" });
  const body = await response.json();
  document.getElementById("events-of").textContent = `command ${id}`;
  document.getElementById("events").replaceChildren(
    ...body.events.map((event) => {
      const li = document.createElement("li");
      li.textContent = `${new Date(event.at * 1000).toLocaleTimeString()} ${event.kind} ${JSON.stringify(event.data).slice(0, 200)}`;
      return li;
    }),
  );
}

async function load() {
  const response = await fetch("/api/journal/commands?limit=200", { cache: "no-store" });
  const commands = await response.json();
  const rows = commands.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.id = String(c.id);
    tr.append(cell(c.id), cell(new Date(c.received_at * 1000).toLocaleString()), cell(c.source), cell(c.command),
      cell(c.status ?? "open"), cell(c.reason), cell(c.approval));
    tr.addEventListener("click", () => showEvents(c.id));
    return tr;
  });
  document.querySelector("#commands tbody").replaceChildren(...rows);
  document.body.dataset.loaded = String(commands.length);
}

load();
