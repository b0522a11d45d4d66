"""The Arduino board as Python sees it: its thermistor divider and the commands it implements.

scripts/firmware_header.py writes both into hil/arduino/perijove/pj_dictionary.h. The firmware
reads its thermistor with these constants and the simavr harness (hil/sim) turns the thermal
node's temperature into the divider's voltage with the same ones, so the two cannot disagree.
"""

import re
from pathlib import Path

DISPATCH = Path(__file__).resolve().parent / "arduino" / "perijove" / "pj_dispatch.cpp"
# the Pico's MicroPython program (hil/pico): its HANDLERS table is its list of what it implements
PICO_DISPATCH = Path(__file__).resolve().parent / "pico" / "perijove" / "dispatch.py"

# the NTC divider on ADC0 (docs/HARDWARE.md): a 10 k NTC to GND below a 10 k fixed resistor
# to the 5 V supply; the NTC follows the beta equation around 25 C
NTC_R0_OHM = 10000.0
NTC_T0_K = 298.15
NTC_BETA_K = 3950.0
NTC_FIXED_OHM = 10000.0
ADC_SUPPLY_MV = 5000.0
THERMISTOR_CONSTANTS = (
    ("NTC_R0_OHM", NTC_R0_OHM), ("NTC_T0_K", NTC_T0_K), ("NTC_BETA_K", NTC_BETA_K),
    ("NTC_FIXED_OHM", NTC_FIXED_OHM), ("ADC_SUPPLY_MV", ADC_SUPPLY_MV),
)


def dispatched_commands(source: Path = DISPATCH) -> tuple[str, ...]:
    """The command idents (PING, HEATER_ON, ...) of the cases of execute()'s switch, in order.

    The switch is the one list of what the board implements: the header marks these commands
    on the board, the dispatcher rejects the others at acceptance, and the avr-sim target's
    capabilities come from here too.
    """
    text = source.read_text()
    start = text.index("static uint8_t execute(")
    body = text[start:text.index("\n}\n", start)]
    return tuple(re.findall(r"case PJ_CMD_([A-Z0-9_]+):", body))


def command_names(idents, names, source) -> frozenset[str]:
    """The dictionary command names (of `names`) behind a board program's command idents
    (PJ_CMD_X, D.CMD_X); ValueError when the program handles one the dictionary lacks."""
    by_ident = {re.sub(r"[^A-Za-z0-9]+", "_", name).upper(): name for name in names}
    unknown = [ident for ident in idents if ident not in by_ident]
    if unknown:
        raise ValueError(f"{source.name} handles commands the dictionary lacks: {', '.join(unknown)}")
    return frozenset(by_ident[ident] for ident in idents)


def board_commands(names) -> frozenset[str]:
    """The dictionary command names (of `names`) that the firmware's switch dispatches."""
    return command_names(dispatched_commands(), names, DISPATCH)


def pico_commands() -> tuple[str, ...]:
    """The command idents of the Pico program's HANDLERS table (hil/pico/perijove/dispatch.py), in order."""
    text = PICO_DISPATCH.read_text()
    start = text.index("HANDLERS = {")
    body = text[start:text.index("\n}\n", start)]
    return tuple(re.findall(r"D\.CMD_([A-Z0-9_]+):", body))


def pico_board_commands(names) -> frozenset[str]:
    """The dictionary command names (of `names`) that the Pico program handles."""
    return command_names(pico_commands(), names, PICO_DISPATCH)


# The Mega build's SDLS keys in its EEPROM (hil/arduino/perijove/pj_sdls.cpp, docs/ICD.md): a mark,
# then one slot per association: SPI (big endian), service, key, and a ring of the sequence numbers
# accepted (the highest is the last; each frame's goes in the next place, to spread the writes)
EEPROM_MARK = b"PJK1"
EEPROM_SLOTS = 2
EEPROM_RING = 16
SERVICE_CODES = {"encryption": 1, "authentication": 2}
EMPTY_SLOT = b"\xff" * (2 + 1 + 32 + 12 * EEPROM_RING)


def eeprom_keys(keyring) -> bytes:
    """The EEPROM image that gives a board the keyed associations of `keyring` (an
    fsw.protocol.sdls.Keyring), the first EEPROM_SLOTS by SPI, none of their numbers used yet:
    avrdude -U eeprom:w:FILE:r puts it on a Mega, the simavr harness takes it as --eeprom FILE."""
    from fsw.protocol.sdls import FULL_MASK, IV_LEN

    keyed = sorted((sa for sa in keyring.associations.values() if sa.key_id is not None and sa.vcid == 0
                    and sa.mask == FULL_MASK), key=lambda sa: sa.spi)[:EEPROM_SLOTS]
    slots = [sa.spi.to_bytes(2, "big") + bytes([SERVICE_CODES[sa.service]]) + keyring.keys[sa.key_id]
             + bytes(IV_LEN * EEPROM_RING) for sa in keyed]
    return EEPROM_MARK + b"".join(slots) + EMPTY_SLOT * (EEPROM_SLOTS - len(slots))
