// The web station: the session (role, CSRF token, dictionary), the live feed (one WebSocket,
// batches acknowledged one at a time so the server's bounded queue is this page's queue), the
// tabs; each view is a module of its own.
import { utc, EPOCH_2000 } from "./util.js";
import * as parameters from "./parameters.js";
import * as events from "./events.js";
import * as commands from "./commands.js";
import * as link from "./link.js";
import * as images from "./images.js";
import * as plots from "./plots.js";
import * as archive from "./archive.js";

const VIEWS = { parameters, events, commands, link, images, plots, archive };
const query = new URLSearchParams(location.search);
if (query.get("token")) sessionStorage.setItem("perijove-token", query.get("token"));
const token = sessionStorage.getItem("perijove-token");

const handlers = {};                     // message kind -> [fn(message)]
const batchEnds = [];                    // fn() once a batch is dispatched: views write the DOM once
const bench = query.has("bench") ? { latencies: [], server: [] } : null;
window.perijove = { bench, dropped: 0, batches: 0, errors: [] };

const ctx = {
  token, role: null, csrf: null, dictionary: null,
  on(kind, fn) { (handlers[kind] ||= []).push(fn); },
  onBatchEnd(fn) { batchEnds.push(fn); },
  async api(path, options = {}) {
    const headers = { ...(options.headers || {}) };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.method === "POST") { headers["X-CSRF-Token"] = ctx.csrf; headers["Content-Type"] = "application/json"; }
    const response = await fetch(path, { ...options, headers });
    return response;
  },
  withToken(path) {
    return token ? `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}` : path;
  },
  notice(text) {
    const box = document.getElementById("notice");
    box.textContent = text || "";
    box.hidden = !text;
  },
};

function showTab() {
  const name = (location.hash || "#parameters").slice(1);
  const chosen = VIEWS[name] ? name : "parameters";
  for (const section of document.querySelectorAll("main > section")) section.classList.toggle("active", section.id === chosen);
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.getAttribute("href") === `#${chosen}`);
  VIEWS[chosen].shown?.();
}

function dispatch(message) {
  const list = handlers[message.k];
  if (!list) return;
  for (const fn of list) {
    try { fn(message); } catch (error) {        // one view's bug must not stop the feed for the others
      window.perijove.errors.push(`${message.k}: ${error}`);
      console.error(error);
    }
  }
}

function connect() {
  const line = document.getElementById("line");
  const queue = query.get("queue") ? `queue=${encodeURIComponent(query.get("queue"))}` : "";
  const url = ctx.withToken(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/web/api/feed${queue ? "?" + queue : ""}`);
  const socket = new WebSocket(url);
  socket.onopen = () => { line.textContent = "live"; line.className = "badge up"; };
  socket.onclose = () => {
    line.textContent = "server gone: reconnecting"; line.className = "badge down";
    setTimeout(connect, 1000);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    let latestObt = null;
    for (const item of message.batch) {
      dispatch(item);
      if (item.obt !== undefined) latestObt = item.obt;
    }
    for (const fn of batchEnds) fn();
    if (bench) {
      const now = Date.now() / 1000;          // the wall clock, as the on-board stamps were made
      for (const item of message.batch) {
        if (item.k !== "hk") continue;
        bench.latencies.push(now - (item.obt + EPOCH_2000));
        bench.server.push(message.sent - (item.obt + EPOCH_2000));   // the part before the batch left the server
      }
    }
    window.perijove.batches += 1;
    if (latestObt !== null) document.getElementById("obt").textContent = utc(latestObt);
    if (message.dropped !== window.perijove.dropped) {
      window.perijove.dropped = message.dropped;
      const badge = document.getElementById("dropped");
      badge.hidden = message.dropped === 0;
      badge.textContent = `dropped ${message.dropped}`;
      badge.title = "items this page fell behind on, dropped oldest first by the server";
    }
    socket.send("ack");
    document.body.dataset.ready = "1";      // the feed is attached: what happens from now on is seen
  };
}

async function start() {
  const response = await ctx.api("/web/api/session");
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    ctx.notice(`${body.error || response.statusText}. Open the page as /web/?token=YOUR_TOKEN`);
    return;
  }
  const session = await response.json();
  Object.assign(ctx, { role: session.role, csrf: session.csrf, dictionary: session.dictionary, port: session.port });
  // a parameter is stale after the server's time without news (the monitor's and the API's), or ?stale=S
  const stale = Number(query.get("stale"));
  ctx.staleAfter = stale > 0 ? stale : session.stale_after;
  const role = document.getElementById("role");
  role.textContent = session.role;
  role.title = session.role === "operator" ? "operators command" : "viewers see telemetry and status only";
  for (const [name, view] of Object.entries(VIEWS)) view.mount(document.getElementById(name), ctx);
  window.addEventListener("hashchange", showTab);
  showTab();
  connect();
}

start();

