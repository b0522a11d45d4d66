// The Pico program's modules in the MicroPython WebAssembly port, without the board's loop: runs
// the Python read from stdin with them importable (the emulated board's module in place of the
// Pico's) and prints what it prints. For tests of one module and for measurements
// (tests/hil/pico, hil/pico/measure.py).
//
//   node hil/pico/vm.mjs [--heap-kb N] [--program DIR] < code.py
//
// --program: the program's modules as deployed (hil/targets/mpy_sim.py program(): mpy-cross
// bytecode); default: the sources, with the emulated board's module.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : null;
};
const heapKb = Number(option("--heap-kb") ?? 256);
const programDir = option("--program");
const mp = await loadMicroPython({
  heapsize: heapKb * 1024,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
mp.FS.mkdir("/flight");
mp.FS.mkdir("/flash");
const modules = programDir
  ? fs.readdirSync(programDir).map((name) => path.join(programDir, name))
  : [...fs.readdirSync(path.join(HERE, "perijove")).filter((name) => name !== "board.py")
      .map((name) => path.join(HERE, "perijove", name)), path.join(HERE, "sim", "board.py")];
for (const file of modules) {
  if ((file.endsWith(".py") || file.endsWith(".mpy")) && !path.basename(file).startsWith("main.")) {
    mp.FS.writeFile(`/flight/${path.basename(file)}`, fs.readFileSync(file));
  }
}
mp.runPython("import sys\nsys.path.insert(0, '/flight')");
try {
  // each part between lines "#--" runs as one call: the port collects garbage only between calls
  // (no Python frames on the stack), so a heap figure is read in a part of its own
  for (const part of fs.readFileSync(0).toString().split(/^#--$/m)) mp.runPython(part);
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
