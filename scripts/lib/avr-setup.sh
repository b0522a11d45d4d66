#!/usr/bin/env bash
# The AVR toolchain and simavr for the avr-sim HIL target (Debian packages; nothing else is
# downloaded). As root, installs what is missing; otherwise prints the one command needed, and
# the avr-sim target skips its tests with the same hint. Never fails the caller.
# (ser2net: labgrid's exporter serves the avr-sim board through it, hil/labgrid)
packages="gcc-avr avr-libc arduino-core-avr simavr libsimavr-dev libsimavrparts1 libelf-dev avrdude ser2net"

missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing the AVR toolchain:$missing"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
        exit 0
    fi
    echo "avr-setup: apt-get failed; the avr-sim HIL target will be skipped" >&2
    exit 0
fi
echo "avr-setup: the avr-sim HIL target needs: sudo apt-get install -y$missing" >&2
exit 0
