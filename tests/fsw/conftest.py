"""Fixtures shared by the flight component tests."""

import importlib.util
import sys
from pathlib import Path

import pytest

_BENCH = "perijove_component_bench"


def load_bench():
    """component_bench.py: a checking stand-in for the executive (tests are not a package)."""
    if _BENCH not in sys.modules:
        spec = importlib.util.spec_from_file_location(_BENCH, Path(__file__).with_name("component_bench.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules[_BENCH]


@pytest.fixture
def bench_module():
    return load_bench()


@pytest.fixture
def bench(tmp_path):
    return load_bench().Bench(tmp_path)
