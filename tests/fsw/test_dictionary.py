"""The mission dictionary's command line: print, write and check docs/ICD.md's tables."""

import subprocess
import sys

from fsw.dictionary import main
from fsw.protocol.dictionary.markdown import BEGIN, END


def test_write_then_check(tmp_path, capsys):
    path = tmp_path / "ICD.md"
    path.write_text(f"# ICD\n{BEGIN}\nstale\n{END}\nend\n")
    assert main(["--check", str(path)]) == 1
    assert "dictionary tables are stale; run python -m fsw.dictionary --write" in capsys.readouterr().err
    assert main(["--write", str(path)]) == 0
    assert main(["--check", str(path)]) == 0
    text = path.read_text()
    assert text.startswith("# ICD\n") and text.endswith(f"{END}\nend\n")


def test_a_missing_file_or_markers_is_one_line_and_exit_2(tmp_path):
    for path, message in ((tmp_path / "none.md", "No such file"), (tmp_path / "plain.md", "markers")):
        if path.name == "plain.md":
            path.write_text("no markers")
        result = subprocess.run([sys.executable, "-m", "fsw.dictionary", "--check", str(path)],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2 and message in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
