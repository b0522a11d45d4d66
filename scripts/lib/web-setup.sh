#!/usr/bin/env bash
# The web station's set-up. `web-setup.sh assets`: its front-end packages (uPlot), with `npm ci`
# from the npm registry into ground/server/web/node_modules, when missing or older than the lock
# file. `web-setup.sh browser`: Debian's chromium and chromium-driver for the browser tests.
# As root, installs the Debian packages that are missing (nodejs and npm, chromium); otherwise
# prints the one command needed. Never fails the caller: without its assets the server says how
# to install them, and without chromium the browser tests skip with the same line.
cd "$(dirname "$0")/../.."
web=ground/server/web

. scripts/lib/apt.sh

case "${1:-assets}" in
assets)
    if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
        command -v npm >/dev/null 2>&1 || apt_install "npm for the web station" nodejs npm || exit 0
        echo "== installing the web station's front end (npm ci)"
        npm ci --prefix "$web" --no-audit --no-fund --loglevel=error >/dev/null ||
            echo "web-setup: npm ci failed; the web station will say how to install its assets" >&2
    fi
    ;;
browser)
    apt_install "chromium for the browser tests" chromium chromium-driver
    ;;
esac
exit 0
