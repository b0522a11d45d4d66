"""The mission uses the ground library; the library never imports the mission."""

import subprocess
import sys

CHECK = """
import importlib, pathlib, sys
import ground
root = pathlib.Path(ground.__file__).parent
for path in sorted(root.rglob("*.py")):
    parts = path.relative_to(root.parent).with_suffix("").parts
    if parts[1] != "pj57":
        importlib.import_module(".".join(p for p in parts if p != "__init__"))
assert not [name for name in sys.modules if name.startswith("ground.pj57")]
"""


def test_no_ground_module_imports_the_pj57_mission():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_mission_modules_import():
    done = subprocess.run([sys.executable, "-c", "import ground.pj57.demo, ground.pj57.procedure, ground.pj57.report"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
