"""The ICD's dictionary tables: generated from the source, spliced between markers, kept current."""

from pathlib import Path

import pytest

from fsw.dictionary import load
from fsw.protocol.dictionary.markdown import BEGIN, END, render, splice

ICD = Path(__file__).resolve().parents[4] / "docs" / "ICD.md"
DICTIONARY = load()


def test_every_declaration_appears_in_the_tables():
    tables = render(DICTIONARY)
    for name in [*DICTIONARY.commands, *DICTIONARY.parameters, *DICTIONARY.reports]:
        assert f"`{name}`" in tables
    for event in DICTIONARY.events.values():
        assert f"| {event.id} | `{event.name}` |" in tables
    assert f"`{DICTIONARY.version:08x}`" in tables


def test_housekeeping_offsets_add_up():
    tables = render(DICTIONARY)
    # thermal, sid 20: sid octet, then cam_temp i16 at 1, sink_temp i16 at 3, heater_state at 5
    assert "| 1 | `cam_temp` | i16 |" in tables and "| 5 | `heater_state` | enum |" in tables


def test_a_bit_mask_lists_its_bits():
    tables = render(DICTIONARY)
    bits = "bits 1 red, 2 green, 4 blue, 8 methane"
    assert f"| `filters` | u8 |  | {bits} (names join with +); 1 .. 15 |" in tables
    assert f"| `cam_filters` | u8 |  |  | {bits} (names join with +) |" in tables
    assert f"`filters` u8 ({bits})" in tables      # image_meta's fields, inline


def test_splice_replaces_only_between_the_markers():
    document = f"before\n{BEGIN}\nold\n{END}\nafter\n"
    assert splice(document, "new\n") == f"before\n{BEGIN}\nnew\n{END}\nafter\n"
    with pytest.raises(ValueError, match="markers"):
        splice("no markers here", "x")


def test_the_committed_icd_is_current():
    document = ICD.read_text(encoding="utf-8")
    assert splice(document, render(DICTIONARY)) == document, (
        "docs/ICD.md is stale: run python -m fsw.dictionary --write docs/ICD.md"
    )
