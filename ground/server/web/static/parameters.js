// Live parameters: the latest engineering value of each, its unit, limit colour (yellow, red) and
// staleness (dim, with ~, when nothing new came for ctx.staleAfter seconds: 10 by default), one
// table per housekeeping structure.
import { el, formatValue, limitState, utc } from "./util.js";

const rows = new Map();     // parameter -> {row, value, time, meta, seen}

export function mount(section, ctx) {
  const staleAfterMs = 1000 * ctx.staleAfter;
  const filter = el("input", { type: "search", placeholder: "filter parameters", oninput: () => {
    const text = filter.value.toLowerCase();
    for (const [name, entry] of rows) entry.row.hidden = text && !name.includes(text);
  } });
  section.append(el("div", { class: "toolbar" }, filter,
    el("span", { class: "hint" }, `yellow and red: outside limits; dim with ~: nothing new for ${ctx.staleAfter} s`)));
  const bySid = new Map();
  for (const [name, meta] of Object.entries(ctx.dictionary.parameters)) {
    if (!bySid.has(meta.sid)) bySid.set(meta.sid, []);
    bySid.get(meta.sid).push([name, meta]);
  }
  const grid = el("div", { class: "grid" });
  for (const [sid, list] of [...bySid].sort((a, b) => a[0] - b[0])) {
    const body = el("tbody");
    for (const [name, meta] of list) {
      const value = el("td", { class: "value num" }, "–");
      const time = el("td", { class: "hint" }, "");
      const row = el("tr", { "data-parameter": name, class: "stale", title: meta.description },
        el("td", {}, name), value, el("td", { class: "unit" }, meta.unit), time);
      body.append(row);
      rows.set(name, { row, value, time, meta, seen: 0, state: "stale" });
    }
    grid.append(el("div", { class: "panel" }, el("h2", {}, `structure ${sid}`),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "value"),
        el("th", {}, "unit"), el("th", {}, "on-board time"))), body)));
  }
  section.append(grid);
  // a batch may hold many reports of a structure: only the latest value of each reaches the DOM
  const latest = new Map();     // parameter -> [value, on-board time]
  ctx.on("hk", (message) => {
    const names = ctx.dictionary.structures[message.sid] || [];
    for (let i = 0; i < names.length; i++) latest.set(names[i], [message.v[i], message.obt]);
  });
  ctx.onBatchEnd(() => {
    if (!latest.size) return;
    const now = Date.now();
    const stamps = new Map();
    for (const [name, [value, obt]] of latest) {
      const entry = rows.get(name);
      if (!entry) continue;
      entry.value.textContent = formatValue(value, entry.meta);
      if (!stamps.has(obt)) stamps.set(obt, utc(obt));
      entry.time.textContent = stamps.get(obt);
      entry.seen = now;
      const state = limitState(value, entry.meta);
      if (state !== entry.state) { entry.row.className = state; entry.state = state; }
    }
    latest.clear();
  });
  setInterval(() => {
    const now = Date.now();
    for (const entry of rows.values()) {
      if (entry.state !== "stale" && now - entry.seen > staleAfterMs) { entry.row.className = "stale"; entry.state = "stale"; }
    }
  }, Math.min(1000, staleAfterMs / 4));
}
