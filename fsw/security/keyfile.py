"""The uplink key file on disk: provisioned by flight on its first start, read by flight and ground.

The file holds secrets: it is created with mode 600 and refused, with one line, when anyone but
its owner may read it. Its text format is fsw.protocol.sdls's (docs/ICD.md, SDLS).
"""

import os
from pathlib import Path

from fsw.protocol.sdls import Keyring, format_keyring, new_keyring, parse_keyring, private_mode_problem

KEY_FILE_NAME = "uplink-keys.json"


def default_state_dir() -> Path:
    """Flight's state directory when fsw is given no --state (where it provisions its keys)."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "perijove" / "fsw"


def default_key_file() -> Path:
    return default_state_dir() / KEY_FILE_NAME


class KeyFileError(Exception):
    """A key file that cannot be used: one line saying why."""


def read_key_file(path: str | os.PathLike) -> Keyring:
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            problem = private_mode_problem(os.fstat(handle.fileno()).st_mode)
            if problem:
                raise KeyFileError(f"key file {path} {problem}")
            text = handle.read()
    except FileNotFoundError:
        raise KeyFileError(f"key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise KeyFileError(f"key file {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        return parse_keyring(text)
    except ValueError as error:
        raise KeyFileError(f"key file {path}: {error}") from None


def write_key_file(path: str | os.PathLike, keyring: Keyring, replace: bool = True) -> None:
    """Write the file (mode 600, flushed to disk, renamed into place); replace=False: fail with
    FileExistsError rather than overwrite one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(format_keyring(keyring))
        handle.flush()
        os.fsync(handle.fileno())
    if replace:
        os.replace(temporary, path)
    else:
        try:
            os.link(temporary, path)
        finally:
            os.unlink(temporary)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def provision(state_dir: str | os.PathLike, spacecraft: int) -> tuple[Path, Keyring, bool]:
    """The keys in a flight state directory, made on the first start: (path, keyring, new)."""
    path = Path(state_dir) / KEY_FILE_NAME
    if path.exists():
        return path, read_key_file(path), False
    try:
        write_key_file(path, new_keyring(spacecraft), replace=False)
    except FileExistsError:
        pass                         # another start made it first: use theirs
    return path, read_key_file(path), True
