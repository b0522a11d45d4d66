"""`ground dict`: summary, JSON, XTCE and Markdown views of the one dictionary."""

import json
import xml.etree.ElementTree as ET


from fsw.dictionary import load
from fsw.protocol.dictionary.xtce import NAMESPACE


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
