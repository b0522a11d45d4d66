"""`ground dict`: summary, JSON, XTCE and Markdown views of the one dictionary."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from fsw.protocol.dictionary import load
from fsw.protocol.dictionary.xtce import NAMESPACE


class Ground:
    """Run `ground` as a person would: a real subprocess, bytes in and out."""

    def __call__(self, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ground.cli", *args], input=stdin,
                              capture_output=True, timeout=30)

    @staticmethod
    def error_line(result: subprocess.CompletedProcess) -> str:
        """A failed run: exactly one line on stderr, no traceback, a non-zero status."""
        text = result.stderr.decode()
        assert result.returncode != 0
        assert "Traceback" not in text and text.count("\n") == 1, text
        return text.strip()


ground = pytest.fixture(scope="module", name="ground")(lambda: Ground())

DICTIONARY = load()


def test_summary_lists_the_version_and_every_command(ground):
    result = ground("dict")
    text = result.stdout.decode()
    assert result.returncode == 0
    assert text.startswith(f"dictionary version {DICTIONARY.version:08x}")
    assert all(name in text for name in DICTIONARY.commands)


def test_json_is_the_dictionary(ground):
    exported = json.loads(ground("dict", "--json").stdout)
    assert exported["version"] == f"{DICTIONARY.version:08x}"
    names = {c["name"] for component in exported["components"] for c in component["commands"]}
    assert names == set(DICTIONARY.commands)


def test_xtce_parses(ground):
    root = ET.fromstring(ground("dict", "--xtce").stdout)
    assert root.tag == f"{{{NAMESPACE}}}SpaceSystem"


def test_markdown_is_the_icd_tables(ground):
    text = ground("dict", "--markdown").stdout.decode()
    assert "#### Commands" in text and "| `cam_capture` |" in text


def test_the_forms_are_exclusive(ground):
    result = ground("dict", "--json", "--xtce")
    assert result.returncode == 2 and b"not allowed with" in result.stderr and b"Traceback" not in result.stderr
