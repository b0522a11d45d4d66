// Small helpers shared by the views.
export const EPOCH_2000 = 946684800;   // on-board times are seconds since 2000-01-01 UTC

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function utc(obt) {
  if (obt === null || obt === undefined) return "–";
  return new Date((obt + EPOCH_2000) * 1000).toISOString().replace("T", " ").slice(0, 23);
}

export function toObt(isoText) {
  if (!isoText) return null;
  const millis = Date.parse(isoText.endsWith("Z") ? isoText : `${isoText}Z`);
  return Number.isNaN(millis) ? null : millis / 1000 - EPOCH_2000;
}

export function formatValue(value, meta) {
  if (value === null || value === undefined) return "–";
  if (meta && meta.flags && meta.flags.length && typeof value === "number") {
    const names = meta.flags.filter(([, bit]) => value & bit).map(([name]) => name);
    return names.length ? names.join("+") : "none";
  }
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toPrecision(4);
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function limitState(value, meta) {
  if (!meta || typeof value !== "number") return "nominal";
  if (meta.red && !(meta.red[0] <= value && value <= meta.red[1])) return "red";
  if (meta.yellow && !(meta.yellow[0] <= value && value <= meta.yellow[1])) return "yellow";
  return "nominal";
}

export function fieldsText(fields) {
  return Object.entries(fields || {}).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ");
}

export async function errorText(response) {
  try { return (await response.json()).error || response.statusText; } catch { return response.statusText; }
}
