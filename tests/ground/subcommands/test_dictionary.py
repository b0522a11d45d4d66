"""`ground dict`: summary, JSON, XTCE and Markdown views of the one dictionary."""

import json
import xml.etree.ElementTree as ET

from fsw.dictionary import load
from fsw.protocol.dictionary.xtce import NAMESPACE, to_xml
from fsw.protocol.pus import decode_tc

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


def test_xtce_is_the_export(ground):
    # the export itself is checked against the XTCE 1.2 schema in tests/fsw/protocol/dictionary
    output = ground("dict", "--xtce").stdout.decode()
    assert ET.fromstring(output).tag == f"{{{NAMESPACE}}}SpaceSystem"
    assert output == to_xml(DICTIONARY)


def test_a_bit_mask_is_typed_by_its_flag_names_or_as_a_number(ground):
    by_name = ground("encode", "cam_configure", "exposure=100", "filters=red+green+blue", "tdi=4", "--raw")
    assert by_name.returncode == 0 and decode_tc(by_name.stdout).app_data == bytes.fromhex("0064 07 04 01 00")
    assert by_name.stdout == ground("encode", "cam_configure", "exposure=100", "filters=7", "tdi=4", "--raw").stdout
    wrong = ground("encode", "cam_configure", "exposure=100", "filters=red+uv", "tdi=4", "--raw")
    assert wrong.returncode != 0 and b"'uv' is not one of red, green, blue, methane" in wrong.stderr
    assert b"Traceback" not in wrong.stderr


def test_markdown_is_the_icd_tables(ground):
    text = ground("dict", "--markdown").stdout.decode()
    assert "#### Commands" in text and "| `cam_capture` |" in text


def test_the_forms_are_exclusive(ground):
    result = ground("dict", "--json", "--xtce")
    assert result.returncode == 2 and b"not allowed with" in result.stderr and b"Traceback" not in result.stderr
