"""SDLS on the ground: ApplySecurity on every frame as it is radiated, below the FOP.

The frames the sender builds (and a FOP keeps for retransmission) are clear, with room for the
security header and trailer (fsw.protocol.sdls.SECURED); `protect()` fills that room as they go
to the link, so a retransmission gets a fresh sequence number and IV. Sequence numbers are
reserved in blocks of BLOCK: the end of a block is on disk (flushed, renamed into place, under an
exclusive lock shared by every ground process) before any number of it goes into a frame, so a
crash, kill -9 included, never reuses an IV; it skips at most the rest of the block, far inside
flight's anti-replay window. One durable write per BLOCK frames, not per frame. A clean close
gives the unused rest back when no other process reserved after it. Before each frame the file is
read: when another process radiating with the same key reserved after this one's block, this
one moves to a new block above it, so numbers keep rising in the order frames go out.

The key file: --key-file, else $PERIJOVE_KEY_FILE, else the one a flight software on this
computer provisioned in its default state directory (fsw/security/keyfile.py).

A rotation (`rotate`) changes keys on board with keys already there (the SDLS-EP subset): a spare
key is activated and given to the stopped association of the same service, which is started; the
uplink moves to it between two radiated frames; then the old association is stopped and its key
deactivated. Whoever owns the link runs it (the ground server), so that every client's next frame
uses the new key.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from fsw.protocol.framing import ASM
from fsw.protocol.sdls import MAX_SEQUENCE, SECURED, Keyring, apply_security, fingerprint
from fsw.security.keyfile import KeyFileError, default_key_file, read_key_file, write_key_file

from .counters import write_json_durably

__all__ = ["KeyFileError", "Rotation", "UplinkSecurity", "find_key_file", "load", "rotate"]

BLOCK = 64      # sequence numbers reserved per durable write (flight's window is 1,024)

# each service has two associations: one in service, the other stopped for the next rotation
PARTNER = {1: 3, 3: 1, 2: 4, 4: 2}


class UplinkSecurity:
    def __init__(self, keyring: Keyring, key_file: Path):
        self.keyring = keyring
        self.key_file = Path(key_file)
        self.sequence_file = self.key_file.with_name(self.key_file.name + ".sequence")
        self.layout = SECURED
        self.spi = keyring.uplink_spi
        self.radiated = 0
        self._blocks: dict[str, tuple[int, int]] = {}    # key name -> (next number, end of its block)

    @property
    def association(self):
        return self.keyring.associations[self.spi]

    def use(self, spi: int, key_id: int | None = None) -> None:
        """Protect with association `spi` from now on (rekeyed on board with key_id, if given)."""
        if spi not in self.keyring.associations:
            raise KeyFileError(f"{self.key_file}: no association {spi}")
        if key_id is not None:
            if key_id not in self.keyring.keys:
                raise KeyFileError(f"{self.key_file}: no key {key_id}")
            self.keyring.associations[spi].key_id = key_id
        self.spi = self.keyring.uplink_spi = spi

    def next_spare(self) -> int | None:
        """The key after every key an association ever held (a key never goes back into service)."""
        held = [sa.key_id for sa in self.keyring.associations.values() if sa.key_id is not None]
        spares = [key_id for key_id in self.keyring.keys if key_id > max(held, default=0)]
        return min(spares) if spares else None

    def describe(self) -> str:
        sa = self.association
        return f"SPI {sa.spi} ({sa.service}, key {sa.key_id} {fingerprint(self.keyring.keys[sa.key_id])})"

    def protect(self, frames: list[bytes]) -> list[bytes]:
        """ASM-prefixed clear frames -> the same, protected; the sequence numbers they use are
        saved first."""
        sa = self.association
        if sa.key_id is None:
            raise KeyFileError(f"{self.key_file}: uplink SPI {sa.spi} has no key")
        key = self.keyring.keys[sa.key_id]
        first = self.reserve(fingerprint(key), len(frames))
        self.radiated += len(frames)
        return [ASM + apply_security(frame[len(ASM):], sa, key, first + n) for n, frame in enumerate(frames)]

    def reserve(self, name: str, count: int) -> int:
        """`count` sequence numbers never given out before for the key called `name`: the first.
        From this process's block while it is the newest one (a read of the file); a new block (one
        durable write) when it runs short or another process reserved after it."""
        first, end = self._blocks.get(name, (0, 0))
        # short, or another process reserved after this block (and may have radiated higher numbers)
        if first + count > end or self._load().get(name) != end:
            with self._locked() as saved:
                first = int(saved.get(name, 1))
                end = min(first + max(count, BLOCK), MAX_SEQUENCE + 1)
                if first + count - 1 > MAX_SEQUENCE:
                    raise KeyFileError(f"key {name} has used every sequence number: rotate it (ground keys rotate)")
                saved[name] = end
                self._save(saved)
        self._blocks[name] = (first + count, end)
        return first

    def release(self) -> None:
        """Give back the unused rest of each block, when no other process reserved after it (a
        clean close: the next process goes on from here, skipping nothing)."""
        if not self._blocks:
            return
        with self._locked() as saved:
            unused = {name: first for name, (first, end) in self._blocks.items() if saved.get(name) == end and first < end}
            if unused:
                self._save({**saved, **unused})
        self._blocks.clear()

    @contextmanager
    def _locked(self):
        """The saved numbers, every other ground process kept out until the block ends."""
        with open(self.sequence_file.with_name(self.sequence_file.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield self._load()

    def _load(self) -> dict:
        try:
            text = self.sequence_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            saved = json.loads(text)
            if not isinstance(saved, dict) or not all(isinstance(v, int) for v in saved.values()):
                raise ValueError("not a sequence file")
        except ValueError as error:
            # starting again from 1 would reuse IVs: a person must decide
            raise KeyFileError(f"{self.sequence_file}: unreadable ({error}); the keys it counted must be "
                               "rotated before they are used again") from None
        return saved

    def _save(self, saved: dict) -> None:
        write_json_durably(self.sequence_file, saved)


@dataclass(frozen=True)
class Rotation:
    """What a rotation did: the uplink moved from old_spi (old_key) to new_spi (new_key)."""

    old_spi: int
    old_key: int
    new_spi: int
    new_key: int
    fingerprint: str


def rotate(security: UplinkSecurity, command: Callable[..., None], radiating: AbstractContextManager) -> Rotation:
    """Put the next spare key in service on board and move the uplink to it.

    command(name, args, arm=False) runs one command to completion or raises; `radiating` is held
    while no frame may go out (the owner's send lock), so the switch falls between two radiated
    frames: every frame before it is protected with the old association, still operational on
    board, every frame after it (retransmissions included) with the new one, already started.
    The key file follows each step that completed, so an interrupted rotation leaves it naming
    the association that works. KeyFileError: nothing to rotate to (nothing was sent)."""
    old_spi = security.spi
    old_key = security.association.key_id
    new_spi = PARTNER.get(old_spi)
    spare = security.next_spare()
    if new_spi not in security.keyring.associations:
        raise KeyFileError(f"SPI {old_spi} has no partner association to rotate to")
    if spare is None:
        raise KeyFileError(f"{security.key_file}: no spare key left: provision the spacecraft with new keys")
    command("key_activate", {"key": spare})
    command("sa_rekey", {"spi": new_spi, "key": spare})
    command("sa_start", {"spi": new_spi})
    with radiating:
        security.use(new_spi, key_id=spare)
        write_key_file(security.key_file, security.keyring)       # the file names what works, from now on
    command("sa_stop", {"spi": old_spi}, arm=True)
    command("key_deactivate", {"key": old_key})
    return Rotation(old_spi, old_key, new_spi, spare, fingerprint(security.keyring.keys[spare]))


def find_key_file(given: str | os.PathLike | None = None) -> Path | None:
    """The key file to use: the one given, $PERIJOVE_KEY_FILE, or flight's default if it exists."""
    if given is not None:
        return Path(given)
    configured = os.environ.get("PERIJOVE_KEY_FILE")
    if configured:
        return Path(configured)
    default = default_key_file()
    return default if default.exists() else None


def load(key_file: str | os.PathLike) -> UplinkSecurity:
    """UplinkSecurity from a key file; KeyFileError (one line) when it cannot be used."""
    keyring = read_key_file(key_file)
    security = UplinkSecurity(keyring, Path(key_file))
    if security.association.key_id is None:
        raise KeyFileError(f"key file {key_file}: uplink SPI {security.spi} has no key")
    return security
