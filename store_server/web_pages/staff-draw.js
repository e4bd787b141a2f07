// Drawing the staff state (docs/web.md) on the page: the requests with their waiting times and
// buttons, printers, who is on shift, and for managers today's figures and unhappy shoppers.
// Everything from the store goes in as text (textContent), never as markup.
import { currentLanguage, el, minutes, word } from "./staff-say.js";

const $ = (id) => document.getElementById(id);
let state = null;
let stateAt = 0; // performance.now() when it came: waiting times tick on from there
let onTap = () => {};

// `tapped(request, action)` is called when one of a request's buttons is tapped.
export function drawState(staffState, tapped) {
  state = staffState;
  stateAt = performance.now();
  onTap = tapped;
  redraw();
}

export function redraw() {
  if (!state) return;
  const me = state.me || {};
  $("me").textContent = me.name ? `${me.name} · ${word(`role_${me.role}`)}` : "";
  $("broker-down").hidden = state.connected !== false;
  renderPrinters(state.printers || []);
  renderRequests(state.requests || []);
  renderOnShift(state.on_shift || []);
  const manager = me.role === "manager";
  $("manager").hidden = !manager;
  if (manager) {
    renderFigures(state.figures);
    renderUnhappy(state.unhappy || []);
  }
}

function renderPrinters(printers) {
  const box = $("printers");
  const wrong = printers.filter((p) => p.state && p.state !== "ok");
  box.replaceChildren(...wrong.map((p) => el("p", `printer-${p.state}`,
    `${word("printer_title")} ${p.kiosk}: ${word(`printer_${p.state}`)}`)));
  box.hidden = wrong.length === 0;
}

function details(r) {
  const d = r.details || {};
  if (r.kind === "find") {
    const where = d.aisle ? ` · ${word("aisle", { aisle: d.aisle, shelf: d.shelf || "?" })}` : "";
    return (d.item || "") + where;
  }
  if (r.kind === "return") {
    return `${d.reason || ""} · ${d.receipt ? word("receipt", { receipt: d.receipt }) : word("no_receipt")}`;
  }
  const topic = d.topic ? word(`topic_${d.topic}`) : "";
  return d.note ? `${topic}: ${d.note}` : topic;
}

// A request's card is drawn again only when what it shows changed: a card being tapped is
// not swapped under the finger by a state that changed something else.
function renderRequests(requests) {
  const list = $("requests");
  const me = (state.me || {}).name;
  const kept = new Map([...list.children].map((item) => [item.dataset.requestId, item]));
  const items = requests.map((r) => {
    const { waited_seconds: _w, urgency: _u, seq: _s, ...shown } = r;
    const signature = JSON.stringify([shown, me, currentLanguage()]);
    const old = kept.get(r.id);
    return old && old.dataset.signature === signature ? old : drawRequest(r, me, signature);
  });
  if (items.length !== list.children.length || items.some((item, i) => list.children[i] !== item)) {
    list.replaceChildren(...items);
  }
  $("count").textContent = requests.length ? String(requests.length) : "";
  $("no-requests").hidden = requests.length > 0;
  tick();
}

function drawRequest(r, me, signature) {
  const item = el("li", "request");
  item.dataset.requestId = r.id;
  item.dataset.ticket = r.ticket;
  item.dataset.status = r.status;
  item.dataset.signature = signature;
  const head = el("div", "head");
  head.append(el("span", "ticket", r.ticket), el("span", "waited"));
  item.append(head, el("p", "kind", `${word(`kind_${r.kind}`)} · ${r.entrance || r.kiosk}`));
  if (r.escalation > 0 && r.status === "open") {
    item.append(el("p", "escalation", word(`escalation_${Math.min(r.escalation, 3)}`)));
  }
  const said = details(r);
  if (said) item.append(el("p", "details", said));
  if (r.claimed_by) {
    item.append(el("p", "holder", r.claimed_by === me ? word("holder_me") : word("holder", { name: r.claimed_by })));
  }
  const actions = el("div", "actions");
  for (const action of r.actions || []) {
    const button = el("button", `big action ${action === "claim" ? "primary" : ""}`, word(action));
    button.type = "button";
    button.dataset.action = action;
    button.addEventListener("click", () => onTap(r, action));
    actions.append(button);
  }
  item.append(actions);
  return item;
}

// Waiting time against the target, as the Kivy pager colours it (staff_pager/rows.py):
// ok under the target, late from three times the target, warn between.
export function tick() {
  if (!state) return;
  const elapsed = (performance.now() - stateAt) / 1000;
  const byId = new Map((state.requests || []).map((r) => [r.id, r]));
  for (const item of $("requests").children) {
    const r = byId.get(item.dataset.requestId);
    if (!r) continue;
    const waited = (r.waited_seconds || 0) + elapsed;
    const target = r.target_seconds || 60;
    let urgency = "ok";
    if (r.status === "open") urgency = waited < target ? "ok" : (waited < 3 * target ? "warn" : "late");
    item.classList.remove("ok", "warn", "late");
    item.classList.add(urgency);
    item.classList.toggle("escalated", r.escalation > 0 && r.status === "open");
    item.querySelector(".waited").textContent = word("waited", { time: minutes(waited) });
  }
}

function renderOnShift(people) {
  const list = $("on-shift");
  const me = (state.me || {}).name;
  const others = people.filter((p) => p.name !== me);
  list.replaceChildren(...people.map((p) => {
    const item = el("li", p.online ? "online" : "offline");
    item.append(el("span", "dot"), el("span", "who", p.name),
      el("span", "muted", ` ${word(`role_${p.role}`)} · ${word(p.online ? "online" : "offline")}` +
        (p.on ? ` · ${word(p.on === "phone" ? "on_phone" : "on_pager")}` : "")));
    return item;
  }));
  if (others.length === 0) list.append(el("li", "muted", word("nobody_on_shift")));
}

function renderFigures(figures) {
  const box = $("figures");
  if (!figures) {
    box.replaceChildren(el("dd", "muted", word("figures_none")));
    return;
  }
  const shown = (v, suffix = "") => (v === null || v === undefined ? "–" : `${Math.round(v)}${suffix}`);
  const tiles = [
    ["figure_waiting", shown(figures.waiting),
      figures.longest_wait ? `${word("figure_longest")} ${minutes(figures.longest_wait)}` : ""],
    ["figure_service_level", shown(figures.service_level, " %"),
      word("figure_in_time", { within: figures.within_target ?? 0, due: figures.due ?? 0 })],
    ["figure_satisfaction", shown(figures.satisfaction), word("figure_responses", { n: figures.responses ?? 0 })],
    ["figure_unclaimed", shown(figures.unclaimed), word("figure_abandoned", { n: figures.abandoned ?? 0 })],
    ["figure_requests", shown(figures.requests), ""],
  ];
  box.replaceChildren(...tiles.map(([key, value, note]) => {
    const tile = el("div", "tile");
    tile.append(el("dt", "", word(key)), el("dd", "value", value), el("dd", "note", note));
    return tile;
  }));
}

function renderUnhappy(unhappy) {
  $("unhappy").replaceChildren(...unhappy.map((f) => {
    const item = el("li", "unhappy-shopper");
    const reasons = (f.reasons || []).join(", ") || word("no_reason");
    item.append(el("p", "", `${word(`face_${f.rating}`)} · ${f.kiosk || ""} · ${reasons}`));
    if (f.comment) item.append(el("p", "comment", f.comment));
    item.append(el("p", "contact", `${word("contact")}: ${f.contact || ""}`));
    return item;
  }));
  $("no-unhappy").hidden = unhappy.length > 0;
}
