"""Every test runs with its own state homes: no test finds a developer's keys or state."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))
    monkeypatch.delenv("PERIJOVE_KEY_FILE", raising=False)
