"""The HIL suite's pytest plugin is in hil/plugin.py; pytest loads its hooks and fixtures from here
for `pytest hil` (every hook it defines must be named here, or pytest never calls it)."""

from hil.plugin import (  # noqa: F401
    fresh_target,
    gs,
    hil_target,
    pytest_addoption,
    pytest_configure,
    pytest_report_header,
)
