import importlib

import pytest

import ground.cli


@pytest.fixture
def ground_main(monkeypatch):
    """ground.cli.main. Subcommand modules other engineers have not landed yet are left out, so
    these tests exercise the real parser with every ground module that exists."""
    present = []
    for name in ground.cli.SUBCOMMANDS:
        try:
            importlib.import_module(name)
            present.append(name)
        except ModuleNotFoundError:
            pass
    monkeypatch.setattr(ground.cli, "SUBCOMMANDS", tuple(present))
    return ground.cli.main
