#!/usr/bin/env bash
# The AVR toolchain and simavr for the avr-sim HIL target (Debian packages; nothing else is
# downloaded). As root, installs what is missing; otherwise prints the one command needed, and
# the avr-sim target skips its tests with the same hint. Never fails the caller.
# (ser2net: labgrid's exporter serves the avr-sim board through it, hil/labgrid)
. "$(dirname "$0")/apt.sh"
apt_install "the avr-sim HIL target" gcc-avr avr-libc arduino-core-avr simavr libsimavr-dev \
    libelf-dev avrdude ser2net || echo "avr-setup: the avr-sim HIL target will be skipped" >&2
exit 0
