# Sourced by scripts/lib/*-setup.sh: install Debian packages that are missing, or say how.
# usage: apt_install WHAT PACKAGE...   returns 0 when every package is installed afterwards.
# As root, installs what is missing with apt-get (Debian's archive only); otherwise prints the
# one command needed. Never exits the caller.

missing_packages() {
    local package missing=""
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
    done
    echo "$missing"
}

apt_install() {
    local what=$1
    shift
    local missing
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing $what:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null && return 0
        echo "apt-get failed for$missing ($what)" >&2
        return 1
    fi
    echo "$what needs: sudo apt-get install -y$missing" >&2
    return 1
}
