// Link status: the line, frames and errors, the uplink counters, warnings; and every other field
// the server reports (COP-1, SDLS, ...) shown as it comes, each group in a table of its own.
import { el } from "./util.js";

const MAIN = ["port", "connected", "link_error", "frame_len", "frames", "packets", "last_contact", "clients",
  "commands_pending", "dictionary_version", "flight_dictionary_version", "up_since"];

const WALL_TIMES = new Set(["last_contact", "up_since"]);

function cell(value, key) {
  if (value === null || value === undefined) return "–";
  if (WALL_TIMES.has(key) && typeof value === "number") return new Date(value * 1000).toISOString().replace("T", " ").slice(0, 23);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function table(id, entries) {
  return el("table", { id }, el("tbody", {}, ...entries.map(([key, value]) =>
    el("tr", { "data-key": key }, el("th", {}, key.replaceAll("_", " ")), el("td", { class: "num" }, cell(value, key))))));
}

export function mount(section, ctx) {
  const line = el("div", { class: "toolbar" });
  const body = el("div", { class: "grid" });
  section.append(line, body);
  let timer = null;

  async function refresh() {
    const response = await ctx.api("/web/api/status");
    if (!response.ok) { line.textContent = `status: ${response.status}`; return; }
    const status = await response.json();
    const up = status.connected;
    line.replaceChildren(el("span", { id: "link-line", class: `badge ${up ? "up" : "down"}` },
      up ? "line up" : `line down: ${status.link_error || "no link"}`),
    el("span", {}, `${status.port}`),
    el("span", { class: "hint" }, status.last_contact ? `last contact ${((Date.now() / 1000) - status.last_contact).toFixed(1)} s ago` : "no contact yet"));
    const panels = [
      el("div", { class: "panel" }, el("h2", {}, "link"), table("link-main", MAIN.filter((k) => k in status).map((k) => [k, status[k]]))),
      el("div", { class: "panel" }, el("h2", {}, "frames and errors"), table("link-errors", Object.entries(status.link || {}).filter(([k]) => k !== "rejected"))),
    ];
    if (status.link && Object.keys(status.link.rejected || {}).length) {
      panels.push(el("div", { class: "panel" }, el("h2", {}, "rejected, by reason"), table("link-rejected", Object.entries(status.link.rejected))));
    }
    panels.push(el("div", { class: "panel" }, el("h2", {}, "uplink counters"), table("link-uplink", Object.entries(status.uplink || {}))));
    // whatever else the server reports (COP-1, SDLS, ...): a panel per group
    const shown = new Set([...MAIN, "link", "uplink", "warnings", "web"]);
    const loose = [];
    for (const [key, value] of Object.entries(status)) {
      if (shown.has(key)) continue;
      if (value && typeof value === "object" && !Array.isArray(value)) {
        panels.push(el("div", { class: "panel", "data-group": key }, el("h2", {}, key.replaceAll("_", " ")), table(`link-${key}`, Object.entries(value))));
      } else loose.push([key, value]);
    }
    if (loose.length) panels.push(el("div", { class: "panel" }, el("h2", {}, "more"), table("link-more", loose)));
    panels.push(el("div", { class: "panel" }, el("h2", {}, "browsers"), table("link-web", [
      ["attached", status.web.browsers], ["dropped, per browser", status.web.dropped.join(", ") || "–"],
      ["dropped, this page", window.perijove.dropped]])));
    panels.push(el("div", { class: "panel" }, el("h2", {}, "warnings"),
      el("ul", { id: "link-warnings" }, ...(status.warnings.length ? status.warnings : ["none"]).map((w) => el("li", {}, w)))));
    body.replaceChildren(...panels);
  }

  section.shown = refresh;
  timer = setInterval(() => { if (section.classList.contains("active")) refresh(); }, 1000);
  void timer;
}

export function shown() { document.getElementById("link").shown?.(); }
