"""The HIL suite's pytest plugin is in hil/plugin.py; pytest loads it from here for `pytest hil`."""

from hil.plugin import fresh_target, gs, hil_target, pytest_addoption, pytest_report_header  # noqa: F401
