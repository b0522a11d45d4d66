// The emulated Pico: the flight program (hil/pico/perijove) in the MicroPython WebAssembly port,
// with the emulated board module (hil/pico/sim/board.py) in place of the Pico's.
//
//   node hil/pico/harness.mjs [--capacity J/K] [--conductance W/K] [--sink C] [--power W]
//        [--initial C] [--thermal-speed X] [--stats FILE] [--heap-kb N] [--program DIR] [--flash DIR]
//        --uart-fd N
//
// --program: the directory of the program's modules to run (default: hil/pico/perijove's sources
// with hil/pico/sim/board.py).
// --flash: files the board's flash filesystem holds (under /flash) at the first power-up.
// --uart-fd: the board's UART, the master side of a pty (both ways): the ground opens the slave.
// stdin, one line each: fault injection and requests, as the simavr harness takes them:
// "temp <degC>", "external <W>", "sensor open|ok", "heater stuck_on|ok", "stats" (write --stats),
// "reset" (a power cycle: RAM lost, flash kept).
// stdout: "READY" once the program has booted (again after each reset), then what the program prints.
// The board's clock follows the wall clock (the program is stepped every millisecond or so); the
// thermal node runs --thermal-speed times faster, so that hours of heating take seconds.
// On SIGTERM it writes --stats (JSON: peak heap in use after a collection, steps, frames) and exits.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const options = {
  capacity: 200.0, conductance: 0.2, sink: -25.0, power: 10.0, initial: null,
  "thermal-speed": 1.0, stats: null, "heap-kb": 256, "uart-fd": null, program: null, flash: null,
};
for (let i = 2; i < process.argv.length; i += 2) {
  const name = process.argv[i].replace(/^--/, "");
  if (!(name in options) || i + 1 >= process.argv.length) {
    process.stderr.write(`harness: unknown option ${process.argv[i]}\n`);
    process.exit(2);
  }
  options[name] = ["stats", "program", "flash"].includes(name) ? process.argv[i + 1] : Number(process.argv[i + 1]);
}

// the camera's thermal node, as fsw/hw/sim/thermal.py and hil/sim/thermal.h model it
const node = {
  temperature: options.initial ?? options.sink, external: 0.0,
};
let heaterOn = false, heaterStuck = false, sensorFailed = false;

function thermalAdvance(dt) {
  const power = (heaterOn || heaterStuck ? options.power : 0.0) + node.external;
  const target = options.sink + power / options.conductance;
  node.temperature = target + (node.temperature - target) * Math.exp(-dt * options.conductance / options.capacity);
}

// a DS18B20 reads in 1/16 C steps; a failed one does not answer
function sensorReading() {
  if (sensorFailed) return null;
  return Math.round(Math.round(node.temperature * 16) / 16 * 100);
}

// The program as the Pico gets it (--program: .mpy files compiled by mpy-cross, or the sources),
// with the emulated board's module in place of the Pico's; main.py's endless loop is this harness's.
// Each power-up is a fresh MicroPython VM: nothing of the RAM survives a reset. What the program
// keeps under /flash (the Pico's flash filesystem) is carried over, as the Pico's flash keeps it.
const sources = options.program
  ? fs.readdirSync(options.program).map((name) => path.join(options.program, name))
  : [...fs.readdirSync(path.join(HERE, "perijove")).filter((name) => name !== "board.py")
      .map((name) => path.join(HERE, "perijove", name)), path.join(HERE, "sim", "board.py")];
const started = Date.now();
const clock = () => Date.now() - started;
// each attribute looked up through a proxy holds a reference on the MicroPython heap until node's
// GC frees it: the functions called every step are looked up once, so the heap is the program's
let mp = null, input, output, stepProgram, heapUsed;
let bootedAt = 0;                  // the board's ticks_ms() counts from its power-up

function flashFiles() {
  const files = {};
  for (const name of mp ? mp.FS.readdir("/flash") : []) {
    if (name !== "." && name !== "..") files[name] = mp.FS.readFile(`/flash/${name}`);
  }
  return files;
}

async function powerUp(flash) {
  mp = await loadMicroPython({
    heapsize: options["heap-kb"] * 1024,
    stdout: (line) => process.stdout.write(`pico: ${line}\n`),
    stderr: (line) => process.stdout.write(`pico: ${line}\n`),
  });
  mp.FS.mkdir("/flight");
  mp.FS.mkdir("/flash");
  for (const file of sources) {
    const name = path.basename(file);
    if ((name.endsWith(".py") || name.endsWith(".mpy")) && !name.startsWith("main.")) {
      mp.FS.writeFile(`/flight/${name}`, fs.readFileSync(file));
    }
  }
  for (const [name, octets] of Object.entries(flash)) mp.FS.writeFile(`/flash/${name}`, octets);
  mp.runPython("import sys\nsys.path.insert(0, '/flight')");
  bootedAt = clock();
  const board = mp.pyimport("board");
  board._input(0, "", sensorReading());
  const app = mp.pyimport("app");
  app.boot();
  input = board._input;
  output = board._output;
  stepProgram = app.step;
  heapUsed = app.heap_used;
}

// The heap the program keeps: gc.mem_alloc() after a collection. A collection run inside a call
// from here into Python (app.heap_used) cannot free all the garbage of the steps before it (the
// port's conservative scan still sees some of it): a collection at the top level (runPython) first
// leaves only what is live, as the Pico's collector finds it.
function heapKept() {
  mp.runPython("import gc\ngc.collect()");
  return heapUsed();
}

// --flash DIR: the files the board's flash holds at the first power-up (the uplink's keys)
const firstFlash = {};
for (const name of options.flash ? fs.readdirSync(options.flash) : []) {
  firstFlash[name] = fs.readFileSync(path.join(options.flash, name));
}
await powerUp(firstFlash);

const stats = { heap_peak: 0, heap_samples: 0, steps: 0, frames_octets: 0, started_heap: heapKept() };
if (options["uart-fd"] === null) {
  process.stderr.write("harness: --uart-fd is needed (the pty's master side)\n");
  process.exit(2);
}
const uart = options["uart-fd"];
// the fd is non-blocking (the target sets it so): read and written between steps, never from a
// thread of libuv's pool, whose blocking read() would keep the process from exiting
const rxBuffer = Buffer.alloc(4096);
let tx = Buffer.alloc(0);

function uartRead() {
  const chunks = [];
  for (;;) {
    let n;
    try {
      n = fs.readSync(uart, rxBuffer, 0, rxBuffer.length, null);
    } catch (error) {
      if (error.code === "EAGAIN" || error.code === "EWOULDBLOCK") break;
      if (error.code === "EIO") break;       // no ground on the slave side just now
      throw error;
    }
    if (n <= 0) break;
    chunks.push(Buffer.from(rxBuffer.subarray(0, n)));
  }
  return chunks.length ? Buffer.concat(chunks) : null;
}

function uartWrite(octets) {
  tx = tx.length ? Buffer.concat([tx, octets]) : octets;
  while (tx.length) {
    let n;
    try {
      n = fs.writeSync(uart, tx);
    } catch (error) {
      if (error.code === "EAGAIN" || error.code === "EWOULDBLOCK") return;   // the rest goes next step
      throw error;
    }
    tx = tx.subarray(n);
  }
}

function writeStats() {
  if (!options.stats) return;
  fs.writeFileSync(options.stats, JSON.stringify({ ...stats, wall_seconds: clock() / 1000 }) + "\n");
}

function control(line) {
  const [word, value] = line.trim().split(/\s+/);
  if (word === "temp") node.temperature = Number(value);
  else if (word === "external") node.external = Number(value);
  else if (word === "sensor") sensorFailed = value !== "ok";
  else if (word === "heater") heaterStuck = value === "stuck_on";
  else if (word === "stats") writeStats();
  else if (word === "reset") reset();
  else if (word) process.stderr.write(`harness: unknown control line: ${line}\n`);
}

let pending = "";
process.stdin.on("data", (chunk) => {
  pending += chunk.toString();
  let at;
  while ((at = pending.indexOf("\n")) >= 0) {
    control(pending.slice(0, at));
    pending = pending.slice(at + 1);
  }
});
process.stdin.on("end", () => shutdown());

// "reset": a power cycle. The program stops where it is (no goodbye), its UART output not yet on
// the line is lost, and a new VM boots the program; "READY" again once it has.
let resetting = false;
async function reset() {
  resetting = true;
  const flash = flashFiles();
  mp = null;
  tx = Buffer.alloc(0);
  uartRead();                      // what arrived while the board was off is lost
  await powerUp(flash);
  stats.resets = (stats.resets ?? 0) + 1;
  resetting = false;
  process.stdout.write("READY\n");
}

let lastThermal = clock(), lastHeap = clock();
function step() {
  const now = clock();
  thermalAdvance((now - lastThermal) / 1000 * options["thermal-speed"]);
  lastThermal = now;
  const received = uartRead();
  const data = received ? received.toString("hex") : "";
  input(now - bootedAt, data, sensorReading());
  stepProgram();
  const out = output();
  heaterOn = out[0] === "1";
  if (out.length > 1) {
    const octets = Buffer.from(out.slice(1), "hex");
    stats.frames_octets += octets.length;
    uartWrite(octets);
  }
  stats.steps++;
  const took = clock() - now;
  stats.step_max_ms = Math.max(stats.step_max_ms ?? 0, took);
  if (took > 50 && process.env.PICO_SLOW_LOG) fs.appendFileSync(process.env.PICO_SLOW_LOG, `${now} step ${took} ms\n`);
  if (now - lastHeap >= 1000) {   // the heap the program keeps, once a second
    lastHeap = now;
    stats.heap_peak = Math.max(stats.heap_peak, heapKept());
    stats.heap_samples++;
  }
}

let running = true;
function loop() {
  if (!running) return;
  try {
    if (!resetting) step();
  } catch (error) {
    process.stdout.write(`harness: the flight program failed: ${error.message}\n`);
    if (process.env.PICO_SLOW_LOG) fs.appendFileSync(process.env.PICO_SLOW_LOG, `failed: ${error.message}\n`);
    writeStats();
    process.exit(3);
  }
  setTimeout(loop, 1);
}

function shutdown() {
  running = false;
  writeStats();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

process.stdout.write("READY\n");
loop();
