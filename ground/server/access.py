"""Who may do what: on a loopback address anyone on this machine may command (as with a serial
port); on any other address every request needs a token, operators may command, viewers only see.

Tokens file (JSON, readable by its owner only): {"operators": ["..."], "viewers": ["..."]}.
"""

import ipaddress
import json
import stat
from pathlib import Path

OPERATOR = "operator"
VIEWER = "viewer"


class AccessError(Exception):
    """A tokens file or listen address the server will not start with: one line saying why."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def token_of(connection) -> str | None:
    """The token a request or WebSocket carries: `Authorization: Bearer T`, else `?token=T`."""
    value = connection.headers.get("authorization", "")
    if value.lower().startswith("bearer "):
        return value[7:].strip()
    return connection.query_params.get("token")


class Access:
    def __init__(self, tokens: dict[str, str] | None):
        self.tokens = tokens          # token -> role; None: no tokens, loopback only
        self.refused = 0

    @classmethod
    def for_listen(cls, host: str, tokens_file: str | None) -> "Access":
        if tokens_file is None:
            if not is_loopback(host):
                raise AccessError(f"listening on {host} needs --tokens FILE (operators and viewers)")
            return cls(None)
        return cls(load_tokens(Path(tokens_file)))

    def role(self, token: str | None) -> str | None:
        """The role a request's token gives, None when it is refused."""
        if self.tokens is None:
            return OPERATOR
        role = self.tokens.get(token or "")
        if role is None:
            self.refused += 1
        return role


def load_tokens(path: Path) -> dict[str, str]:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AccessError(f"{path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AccessError(f"{path}: readable by others; chmod 600 it")
    try:
        document = json.loads(text)
        tokens = {}
        for key, role in (("operators", OPERATOR), ("viewers", VIEWER)):
            for token in document.get(key, []):
                if not isinstance(token, str) or len(token) < 16:
                    raise ValueError(f"{key}: every token is a string of 16 characters or more")
                tokens[token] = role
    except (ValueError, AttributeError) as error:
        raise AccessError(f"{path}: not a tokens file ({error})") from None
    if not tokens:
        raise AccessError(f"{path}: no operators or viewers")
    return tokens
