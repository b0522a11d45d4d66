#!/usr/bin/env bash
# The emulated Pico for the mpy-sim HIL target: node (Debian) and the MicroPython WebAssembly port
# (npm registry, pinned by hil/pico/package-lock.json, installed into hil/pico/node_modules; never
# copied into the repository). Installs what is missing; otherwise says what is needed, and the
# mpy-sim target skips its tests with the same hint. Never fails the caller.
cd "$(dirname "$0")/../.." || exit 0
. scripts/lib/apt.sh
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install "the mpy-sim HIL target" nodejs npm || { echo "pico-setup: the mpy-sim HIL target will be skipped" >&2; exit 0; }
fi
package=hil/pico/node_modules/@micropython/micropython-webassembly-pyscript/package.json
wanted=$(sed -n 's|.*"@micropython/micropython-webassembly-pyscript": "\([^"]*\)".*|\1|p' hil/pico/package.json)
if [ -f "$package" ] && grep -q "\"version\": \"$wanted\"" "$package"; then
    exit 0
fi
echo "== installing the MicroPython WebAssembly port (npm ci in hil/pico)"
npm ci --prefix hil/pico --no-audit --no-fund --loglevel=error >/dev/null \
    || echo "pico-setup: npm ci failed; the mpy-sim HIL target will be skipped" >&2
exit 0
