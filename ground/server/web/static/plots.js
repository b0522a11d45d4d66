// Live plots with uPlot: several parameters on one time chart (one y axis per unit), and an X-Y
// plot of one parameter against another.
import { el, EPOCH_2000 } from "./util.js";

const KEPT = 3000;           // housekeeping rows held for the chart
const XY_KEPT = 1000;
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const PREFERRED = ["cam_temp", "heater_power", "heater_setpoint"];

export function mount(section, ctx) {
  const numeric = Object.entries(ctx.dictionary.parameters).filter(([, m]) => !m.enum && !m.flags.length).map(([n]) => n);
  const preferred = PREFERRED.filter((n) => numeric.includes(n));
  const chosen = new Set(preferred.length ? preferred : numeric.slice(0, 2));
  const rows = [];                       // {t, values}
  const latest = {};
  const pairs = [];
  const checks = el("div", { class: "checks" }, ...numeric.map((name) => el("label", {},
    el("input", { type: "checkbox", value: name, checked: chosen.has(name), onchange: (e) => {
      if (e.target.checked) chosen.add(name); else chosen.delete(name);
      rebuild();
    } }), ` ${name}`)));
  const timeHolder = el("div", { class: "plot", id: "time-plot" });
  const xSelect = el("select", { name: "x", onchange: () => { pairs.length = 0; rebuildXY(); } }, ...numeric.map((n) => el("option", { value: n }, n)));
  const ySelect = el("select", { name: "y", onchange: () => { pairs.length = 0; rebuildXY(); } }, ...numeric.map((n) => el("option", { value: n }, n)));
  xSelect.value = numeric.includes("heater_power") ? "heater_power" : numeric[0];
  ySelect.value = numeric.includes("cam_temp") ? "cam_temp" : numeric[1] || numeric[0];
  const xyHolder = el("div", { class: "plot", id: "xy-plot" });
  const xyCount = el("span", { class: "hint" });
  section.append(el("h2", {}, "parameters against on-board time"), checks, timeHolder,
    el("h2", {}, "X-Y"), el("div", { class: "toolbar" }, "x ", xSelect, " y ", ySelect, xyCount), xyHolder);

  let chart = null;
  let xy = null;
  let dirty = false;

  function width() { return Math.max(480, Math.min(1200, section.clientWidth - 40 || 900)); }

  function rebuild() {
    chart?.destroy();
    const names = [...chosen];
    const units = [...new Set(names.map((n) => ctx.dictionary.parameters[n].unit || "value"))];
    const axes = [{}, ...units.map((unit, i) => ({ scale: unit, label: unit, side: i % 2 ? 1 : 3, grid: { show: i === 0 } }))];
    chart = new uPlot({
      width: width(), height: 320, scales: { x: { time: true } },
      series: [{}, ...names.map((name, i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 1.5,
        scale: ctx.dictionary.parameters[name].unit || "value", spanGaps: true }))],
      axes,
    }, data(names), timeHolder);
    chart.names = names;
  }

  function data(names) {
    const xs = [];
    const ys = names.map(() => []);
    for (const row of rows) {
      let any = false;
      for (const name of names) if (name in row.values) { any = true; break; }
      if (!any) continue;
      xs.push(row.t);
      names.forEach((name, i) => ys[i].push(name in row.values ? row.values[name] : null));
    }
    return [xs, ...ys];
  }

  function rebuildXY() {
    xy?.destroy();
    xy = new uPlot({
      width: width(), height: 320, scales: { x: { time: false } },
      series: [{ label: xSelect.value }, { label: ySelect.value, stroke: COLOURS[1], paths: () => null,
        points: { show: true, size: 5, fill: COLOURS[1] } }],
      axes: [{ label: xSelect.value }, { label: ySelect.value }],
    }, xyData(), xyHolder);
  }

  function xyData() {
    const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
    xyCount.textContent = `${sorted.length} points`;
    return [sorted.map((p) => p[0]), sorted.map((p) => p[1])];
  }

  function draw() {
    dirty = false;
    if (!section.classList.contains("active")) return;
    chart.setData(data(chart.names));
    xy.setData(xyData());
  }

  ctx.on("hk", (message) => {
    const numbers = {};
    const names = ctx.dictionary.structures[message.sid] || [];
    for (let i = 0; i < names.length; i++) if (typeof message.v[i] === "number") numbers[names[i]] = message.v[i];
    rows.push({ t: message.obt + EPOCH_2000, values: numbers });
    if (rows.length > KEPT) rows.splice(0, rows.length - KEPT);
    const x = xSelect.value;
    const y = ySelect.value;
    if (x in numbers || y in numbers) {
      Object.assign(latest, numbers);
      if (latest[x] !== undefined && latest[y] !== undefined) {
        pairs.push([latest[x], latest[y]]);
        if (pairs.length > XY_KEPT) pairs.shift();
      }
    } else Object.assign(latest, numbers);
    if (!dirty) { dirty = true; setTimeout(() => requestAnimationFrame(draw), 250); }
  });

  section.shown = () => { rebuild(); rebuildXY(); };
  rebuild();
  rebuildXY();
}

export function shown() { document.getElementById("plots").shown?.(); }
