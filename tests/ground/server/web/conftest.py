"""Web station fixtures, shared by the module's tests to keep them quick: one real `fsw` on a pty,
one real `ground serve` (with its archive) in front of it, one chromium."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import browser as chromium  # noqa: E402

from fsw import launch  # noqa: E402

SHOTS = os.environ.get("PERIJOVE_WEB_SCREENSHOTS")     # a directory: each test saves what it saw


@pytest.fixture(scope="session")
def station(tmp_path_factory):
    """(fsw, url, home) of a ground server in front of a real fsw."""
    home = tmp_path_factory.mktemp("web-home")
    fsw = launch.start("--clock", "sim", "--speed", "10", "--seed", "1", state=home / "fsw")
    env = {**os.environ, "PERIJOVE_HOME": str(home)}
    env.pop("PERIJOVE_ARCHIVE_DIR", None)
    server = subprocess.Popen([sys.executable, "-m", "ground.cli", "serve", "--port", fsw.port,
                               "--archive-dir", str(home / "archive"), "--key-file", str(fsw.key_file)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = launch.wait_for_line(server, r"served on (http://\S+)", timeout=30).group(1)
        yield fsw, url, home
    finally:
        launch.stop(server)
        fsw.stop()


@pytest.fixture(scope="session")
def browser():
    if not chromium.available():
        pytest.skip(chromium.MISSING)
    running = chromium.Browser()
    running.driver.set_script_timeout(20)
    yield running.driver
    running.close()


@pytest.fixture
def page(browser, station, request):
    """open(path) -> the driver, on the station's page, once the page has its session."""
    def open_page(path="/web/"):
        browser.get(station[1] + path)
        wait_until(lambda: browser.execute_script("return document.body.dataset.ready === '1'"), 15,
                   "the page did not start")
        return browser

    yield open_page
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(SHOTS) / f"{request.node.name}.png"))


def wait_until(predicate, timeout: float, what: str):
    """The predicate's first true value, polled; AssertionError saying what did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout} s: {what}")
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def no_script_errors(request):
    """Every test ends with a page whose scripts raised nothing."""
    yield
    if "browser" in request.fixturenames:
        driver = request.getfixturevalue("browser")
        errors = driver.execute_script("return window.perijove ? window.perijove.errors : []")
        assert errors == [], f"the page's scripts failed: {errors}"
