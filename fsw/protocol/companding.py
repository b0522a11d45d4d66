"""Square-root companding, as JunoCam's: 12-bit DN to 8 bits on board, back to 12 bits on ground.

compand(v) = round(255 * sqrt(v / 4095)): the 8-bit step grows with the signal, as the photon
noise does, so dark detail (the Jupitershine-lit night side, a few tens of DN) keeps its steps
while bright surface shares coarser ones. decompand(c) is the middle of the 12-bit values that
compand to c. Both are tables (the firmware holds the same 256-entry one).
"""

import numpy as np

FULL_SCALE_12 = 4095
SCHEMES = ("linear", "sqrt")

COMPAND = np.rint(255 * np.sqrt(np.arange(FULL_SCALE_12 + 1) / FULL_SCALE_12)).astype(np.uint8)


def _decompand_table() -> np.ndarray:
    table = np.zeros(256, np.uint16)
    for code in range(256):
        values = np.nonzero(COMPAND == code)[0]
        table[code] = int(round(values.mean())) if values.size else 0
    return table


DECOMPAND = _decompand_table()


def compand(values: np.ndarray) -> np.ndarray:
    """12-bit DN (any integer array) to 8-bit codes."""
    return COMPAND[np.clip(values, 0, FULL_SCALE_12).astype(np.intp)]


def decompand(codes: np.ndarray) -> np.ndarray:
    """8-bit codes to 12-bit DN (uint16)."""
    return DECOMPAND[np.asarray(codes, np.uint8)]
