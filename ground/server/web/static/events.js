// Events: newest first, filtered by least severity and by a search over name and fields.
import { el, fieldsText, utc } from "./util.js";

const SEVERITIES = ["info", "low", "medium", "high"];
const KEPT = 2000;

export function mount(section, ctx) {
  const events = [];
  const severity = el("select", { name: "severity", onchange: render },
    ...SEVERITIES.map((s) => el("option", { value: s }, `${s} and above`)));
  const search = el("input", { type: "search", name: "search", placeholder: "search events", oninput: render });
  const count = el("span", { class: "hint" });
  const body = el("tbody");
  section.append(el("div", { class: "toolbar" }, severity, search, count),
    el("div", { class: "scroll" }, el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "on-board time"),
      el("th", {}, "severity"), el("th", {}, "event"), el("th", {}, "fields"))), body)));

  function matches(event) {
    if (SEVERITIES.indexOf(event.severity) < SEVERITIES.indexOf(severity.value)) return false;
    const text = search.value.trim().toLowerCase();
    return !text || event.text.includes(text);
  }
  function row(event) {
    return el("tr", { class: `sev-${event.severity}`, "data-event": event.name },
      el("td", {}, utc(event.obt)), el("td", {}, event.severity), el("td", {}, event.name), el("td", {}, event.fieldsText));
  }
  function render() {
    const shown = events.filter(matches).slice(-500).reverse();
    body.replaceChildren(...shown.map(row));
    count.textContent = `${shown.length} of ${events.length} events`;
  }
  function add(message) {
    const fieldsLine = message.text ?? fieldsText(message.fields);
    const event = { ...message, fieldsText: fieldsLine, text: `${message.name} ${fieldsLine}`.toLowerCase() };
    events.push(event);
    if (events.length > KEPT) events.shift();
    return event;
  }
  ctx.api("/web/api/events").then((r) => r.ok ? r.json() : { events: [] }).then((doc) => {
    for (const message of doc.events) add(message);
    render();
  });
  ctx.on("event", (message) => {
    const event = add(message);
    if (matches(event)) {
      body.prepend(row(event));
      if (body.children.length > 500) body.lastChild.remove();
    }
    count.textContent = `${body.children.length} of ${events.length} events`;
  });
}
