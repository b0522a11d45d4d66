# Sourced by scripts/*: make .venv with a Python >= 3.11 and install the project into it.
# usage: ensure_venv [extra]   (extra: "test" installs the test dependencies too)

find_python() {
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "perijove needs Python 3.11 or newer (apt-get install python3 python3-venv)" >&2
    return 1
}

ensure_venv() {
    local extra="${1:-}" spec="."
    [ -n "$extra" ] && spec=".[$extra]"
    if [ ! -x .venv/bin/python ]; then
        local python
        python=$(find_python) || exit 1
        echo "== creating .venv with $($python --version)"
        "$python" -m venv .venv || {
            echo "could not create a virtual environment (apt-get install python3-venv)" >&2
            exit 1
        }
    fi
    # reinstall only when pyproject.toml changed since the last install of this extra
    local stamp=".venv/.installed-${extra:-base}"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        echo "== installing perijove${extra:+ with [$extra]} into .venv"
        # compat: a plain path in a .pth, not an import hook that costs every process start 20 ms
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec" \
            --config-settings editable_mode=compat || exit 1
        touch "$stamp"
    fi
}
