// The archive over a time range: parameters chosen, from and to (UTC), a chart and the samples,
// and the same as a CSV file.
import { el, errorText, EPOCH_2000, toObt, utc } from "./util.js";

const ROWS_SHOWN = 500;

export function mount(section, ctx) {
  const names = Object.keys(ctx.dictionary.parameters);
  const select = el("select", { name: "parameters", multiple: true, size: 6 }, ...names.map((n) => el("option", { value: n }, n)));
  for (const option of select.options) option.selected = option.value === "cam_temp";
  const from = el("input", { name: "from", type: "datetime-local", step: "1" });
  const to = el("input", { name: "to", type: "datetime-local", step: "1" });
  const csv = el("a", { id: "archive-csv", download: "perijove-archive.csv" }, "Export CSV");
  const status = el("span", { class: "hint", id: "archive-status" });
  const holder = el("div", { class: "plot", id: "archive-plot", hidden: true });
  const body = el("tbody");
  section.append(el("form", { class: "toolbar", onsubmit: (e) => { e.preventDefault(); run(); } },
    select, el("label", {}, "from (UTC) ", from), el("label", {}, "to (UTC) ", to),
    el("button", { type: "submit", id: "archive-query" }, "Query"), csv, status),
  holder, el("div", { class: "scroll" }, el("table", { id: "archive-table" }, el("thead", {}, el("tr", {},
    el("th", {}, "on-board time"), el("th", {}, "parameter"), el("th", {}, "value"), el("th", {}, "unit"))), body)));
  let chart = null;

  function query() {
    const params = new URLSearchParams();
    for (const option of select.selectedOptions) params.append("parameter", option.value);
    const start = toObt(from.value);
    const end = toObt(to.value);
    if (start !== null) params.set("from", start);
    if (end !== null) params.set("to", end);
    return params;
  }

  function updateLink() { csv.href = ctx.withToken(`/web/api/archive.csv?${query()}`); }
  for (const control of [select, from, to]) control.addEventListener("change", updateLink);
  updateLink();

  async function run() {
    const params = query();
    if (!params.getAll("parameter").length) { status.textContent = "choose at least one parameter"; return; }
    status.textContent = "reading the archive...";
    const response = await ctx.api(`/api/archive/samples?${params}`);
    if (!response.ok) { status.textContent = await errorText(response); return; }
    const text = await response.text();
    const samples = text.split("\n").filter(Boolean).map((line) => JSON.parse(line)).filter((s) => !s.error);
    status.textContent = `${samples.length} samples`;
    body.replaceChildren(...samples.slice(0, ROWS_SHOWN).map((s) => el("tr", {}, el("td", {}, utc(s.time)),
      el("td", {}, s.parameter), el("td", { class: "num" }, typeof s.value === "number" ? +s.value.toPrecision(6) : s.value),
      el("td", { class: "unit" }, ctx.dictionary.parameters[s.parameter].unit))));
    plot(samples, params.getAll("parameter"));
  }

  function plot(samples, chosen) {
    chart?.destroy();
    const numeric = chosen.filter((n) => samples.some((s) => s.parameter === n && typeof s.value === "number"));
    holder.hidden = !numeric.length;
    if (!numeric.length) return;
    const times = [...new Set(samples.map((s) => s.time))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const ys = numeric.map(() => new Array(times.length).fill(null));
    for (const s of samples) {
      const i = numeric.indexOf(s.parameter);
      if (i >= 0) ys[i][index.get(s.time)] = s.value;
    }
    chart = new uPlot({ width: Math.max(480, Math.min(1200, section.clientWidth - 40 || 900)), height: 300,
      series: [{}, ...numeric.map((n, i) => ({ label: n, stroke: ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"][i % 4], spanGaps: true }))] },
    [times.map((t) => t + EPOCH_2000), ...ys], holder);
  }
}
