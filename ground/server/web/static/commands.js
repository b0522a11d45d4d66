// Commanding: a form made from the dictionary (types, ranges, enums, flag bits, units, defaults;
// a hazardous command is armed and sent only after a confirmation), and every command's stages as
// they arrive, above the history the archive keeps across sessions.
import { el, errorText } from "./util.js";

const FINAL = new Set(["completed", "rejected", "failed"]);

function groundTime(seconds) {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
}

function input(field) {
  const hint = [];
  let control;
  if (field.enum.length) {
    control = el("select", { name: field.name }, ...field.enum.map((name) => el("option", { value: name }, name)));
    if (typeof field.default === "number" && field.enum[field.default] !== undefined) control.value = field.enum[field.default];
    if (typeof field.default === "string") control.value = field.default;
  } else if (field.flags.length) {
    control = el("span", { class: "flags", "data-name": field.name },
      ...field.flags.map(([name, bit]) => el("label", {}, el("input", { type: "checkbox", value: name,
        checked: typeof field.default === "number" && (field.default & bit) !== 0 }), ` ${name}`)));
    hint.push("flag bits");
  } else if (field.type === "bool") {
    control = el("select", { name: field.name }, el("option", { value: "false" }, "false"), el("option", { value: "true" }, "true"));
    if (field.default === true) control.value = "true";
  } else if (field.type === "bytes" || field.type === "list") {
    control = el("input", { name: field.name, type: "text", placeholder: field.type === "bytes" ? "hex octets" : "value",
      pattern: field.type === "bytes" ? "([0-9a-fA-F]{2})*" : null });
  } else {
    control = el("input", { name: field.name, type: "number", required: true, step: field.type === "f32" ? "any" : "1",
      min: field.min ?? null, max: field.max ?? null, value: field.default ?? "" });
    if (field.min !== null) hint.push(`${field.min} .. ${field.max}`);
  }
  return el("div", { class: "form-row" },
    el("label", { title: field.description }, field.name),
    el("span", {}, control, " ", el("span", { class: "unit" }, field.unit), " ",
      el("span", { class: "hint" }, [hint.join(", "), field.description].filter(Boolean).join(" · "))));
}

function words(form, command) {
  const out = [];
  for (const field of command.args) {
    if (field.flags.length) {
      const set = [...form.querySelectorAll(`[data-name="${field.name}"] input:checked`)].map((box) => box.value);
      out.push(`${field.name}=${set.length ? set.join("+") : "0"}`);
      continue;
    }
    const control = form.elements[field.name];
    if (control.value === "" && (field.type === "bytes" || field.type === "list")) continue;
    out.push(`${field.name}=${control.value}`);
  }
  return out;
}

export function mount(section, ctx) {
  const commands = ctx.dictionary.commands;
  const byName = Object.fromEntries(commands.map((c) => [c.name, c]));
  const operator = ctx.role === "operator";
  const picker = el("select", { name: "command", onchange: () => build(picker.value) },
    ...commands.map((c) => el("option", { value: c.name }, c.hazardous ? `${c.name} (hazardous)` : c.name)));
  const describe = el("p", { class: "hint" });
  const fields = el("div");
  const message = el("div", { id: "command-error", class: "error" });
  const confirmBox = el("div");
  const send = el("button", { type: "submit", disabled: !operator }, "Send");
  const form = el("form", { class: "panel", id: "command-form", onsubmit: submit },
    el("div", { class: "toolbar" }, el("label", {}, "command "), picker, send,
      operator ? null : el("span", { class: "hint" }, "viewers see; operators command")),
    describe, fields, confirmBox, message);
  const rows = new Map();          // request id -> {stages, outcome}
  const body = el("tbody");
  const historyNote = el("span", { class: "hint" });
  section.append(form, el("h2", {}, "commands ", historyNote),
    el("div", { class: "scroll" }, el("table", { id: "command-table" }, el("thead", {}, el("tr", {},
      el("th", {}, "sent"), el("th", {}, "command"), el("th", {}, "arguments"), el("th", {}, "request id"),
      el("th", {}, "stages"), el("th", {}, "outcome"))), body)));

  function build(name) {
    const command = byName[name];
    describe.textContent = command.description + (command.hazardous ? " Hazardous: it is armed first, after you confirm." : "");
    fields.replaceChildren(...command.args.map(input));
    confirmBox.replaceChildren();
    message.textContent = "";
  }

  async function post(command, arm) {
    message.textContent = "";
    const response = await ctx.api("/web/api/commands", { method: "POST",
      body: JSON.stringify({ name: command.name, words: words(form, command), arm }) });
    if (!response.ok) { message.textContent = `not sent: ${await errorText(response)}`; return; }
    const sentArgs = words(form, command).join(" ");
    for (const sent of (await response.json()).commands) {
      row(sent.request_id, sent.command, Date.now() / 1000, sent.command === command.name ? sentArgs : "");
    }
  }

  function submit(event) {
    event.preventDefault();
    if (!operator) return;
    if (!form.reportValidity()) return;
    const command = byName[picker.value];
    if (!command.hazardous) { post(command, false); return; }
    confirmBox.replaceChildren(el("div", { class: "confirm" },
      el("p", {}, `${command.name} is hazardous. Arm it and send it now?`),
      el("button", { type: "button", class: "danger", id: "confirm-hazardous",
        onclick: () => { confirmBox.replaceChildren(); post(command, true); } }, `Arm and send ${command.name}`),
      " ", el("button", { type: "button", onclick: () => confirmBox.replaceChildren() }, "Cancel")));
  }

  function row(requestId, name, sent, args, prepend = true) {
    let entry = rows.get(requestId);
    if (entry) {
      // a report can overtake the answer to the POST: the name and arguments come in later
      if (name && !entry.name) { entry.name = name; entry.tr.dataset.command = name; entry.nameCell.textContent = name; }
      if (args && !entry.argsCell.textContent) entry.argsCell.textContent = args;
      return entry;
    }
    const stages = el("td");
    const outcome = el("td", { class: "outcome-pending" }, "pending");
    const nameCell = el("td", {}, name || "?");
    const argsCell = el("td", { class: "hint" }, args);
    const tr = el("tr", { "data-request": requestId, "data-command": name || "" },
      el("td", {}, groundTime(sent)), nameCell, argsCell,
      el("td", { class: "num" }, `0x${requestId.toString(16).padStart(8, "0")}`), stages, outcome);
    entry = { tr, stages, outcome, nameCell, argsCell, name, done: false };
    rows.set(requestId, entry);
    if (prepend) body.prepend(tr); else body.append(tr);
    return entry;
  }

  // at: when the stage happened (seconds). Stages may arrive out of order: a board's report can
  // overtake COP-1's "queued", which the server passes on once it has answered the POST; each
  // goes where its time puts it
  function stage(entry, name, ok, reason, percent, at) {
    const label = name === "progress" && percent !== null && percent !== undefined ? `progress ${percent}%` : name;
    const span = el("span", { class: ok ? "stage" : "stage failed", title: reason || "", "data-at": at ?? "" },
      ok ? label : `${label} FAILED${reason ? ` (${reason})` : ""}`);
    const later = at == null ? null
      : [...entry.stages.children].find((s) => s.dataset.at !== "" && Number(s.dataset.at) > at);
    entry.stages.insertBefore(span, later || null);
    let result = null;
    if (!ok) result = name === "accepted" ? "rejected" : "failed";
    else if (name === "completed") result = "completed";
    if (result) {
      entry.outcome.textContent = reason ? `${result}: ${reason}` : result;
      entry.outcome.className = `outcome-${result}`;
      entry.done = true;
    }
  }

  ctx.on("stage", (m) => {
    const entry = row(m.rid, m.command, m.rx, m.args ? Object.entries(m.args).map(([k, v]) => `${k}=${v}`).join(" ") : "");
    if (m.stage !== "sent") stage(entry, m.stage, m.ok, m.reason, m.percent, m.rx);
  });

  async function history() {
    const response = await ctx.api("/web/api/history?limit=100");
    if (!response.ok) { historyNote.textContent = `(no history: ${await errorText(response)})`; return; }
    const doc = await response.json();
    historyNote.textContent = `(live, and the last ${doc.commands.length} from the archive, across sessions)`;
    for (const c of doc.commands) {
      if (rows.has(c.request_id)) continue;
      const args = Object.entries(c.args).map(([k, v]) => `${k}=${v}`).join(" ");
      const entry = row(c.request_id, c.command, c.time, args, false);
      for (const s of c.stages) stage(entry, s.stage, s.ok, s.reason, s.percent, s.time);
      if (!FINAL.has(c.outcome)) entry.outcome.textContent = "no final report";
    }
  }

  build(picker.value);
  history();
}
