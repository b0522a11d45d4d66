#!/usr/bin/env bash
# Install the Perijove flight software on a Raspberry Pi and run it as a service on the Pi's
# UART (/dev/serial0) with the Pi hardware backend (heater on GPIO17, DS18B20 on GPIO4).
#
#   sudo scripts/install-pi.sh [--user pi] [--port /dev/serial0] [--baud 115200] [--prefix /opt/perijove]
#
# Run from a checkout of the repository on the Pi. Idempotent: run it again after a git pull.
# It enables the UART (serial console off) and 1-Wire in the boot config; a reboot applies them.
set -euo pipefail

user=${SUDO_USER:-pi}
port=/dev/serial0
baud=115200
prefix=/opt/perijove
while [ $# -gt 0 ]; do
    case "$1" in
        --user) user=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --baud) baud=$2; shift 2 ;;
        --prefix) prefix=$2; shift 2 ;;
        *) echo "usage: sudo $0 [--user NAME] [--port DEV] [--baud N] [--prefix DIR]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "install-pi.sh: run as root (sudo)" >&2; exit 1; }
id "$user" >/dev/null 2>&1 || { echo "install-pi.sh: no user $user (use --user)" >&2; exit 1; }
source_dir=$(cd "$(dirname "$0")/.." && pwd)

echo "== system packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-dev >/dev/null

echo "== UART and 1-Wire"
config=/boot/firmware/config.txt
[ -f "$config" ] || config=/boot/config.txt
if [ -f "$config" ]; then
    grep -q '^enable_uart=1' "$config" || echo 'enable_uart=1' >> "$config"
    grep -q '^dtoverlay=w1-gpio' "$config" || echo 'dtoverlay=w1-gpio,gpiopin=4' >> "$config"
fi
if command -v raspi-config >/dev/null 2>&1; then
    raspi-config nonint do_serial_cons 1 || true   # the login console must not share the UART
    raspi-config nonint do_serial_hw 0 || true
fi
usermod -a -G dialout,gpio "$user" 2>/dev/null || usermod -a -G dialout "$user"

echo "== perijove into $prefix/venv"
mkdir -p "$prefix"
[ -x "$prefix/venv/bin/python" ] || python3 -m venv "$prefix/venv"
"$prefix/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$source_dir[pi]"
install -d -o "$user" "/var/lib/perijove"

echo "== systemd unit perijove-fsw.service"
cat > /etc/systemd/system/perijove-fsw.service <<UNIT
[Unit]
Description=Perijove flight software on $port
After=network.target dev-serial0.device

[Service]
User=$user
ExecStart=$prefix/venv/bin/fsw --port $port --baud $baud --hw raspberrypi --state /var/lib/perijove
Restart=on-failure
RestartSec=2
KillSignal=SIGTERM

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable perijove-fsw.service
systemctl restart perijove-fsw.service || true
echo "installed: systemctl status perijove-fsw (reboot once if the UART or 1-Wire was just enabled)"
