"""Backpressure per browser: each has a bounded queue, oldest dropped first, the count shown to
it; a stalled browser never slows ingest, the archive or the other browsers."""

import base64
import json
import os
import socket
import time
import urllib.request
from urllib.parse import urlsplit

import pytest
from conftest import wait_until
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.timeout(60)


def status(url) -> dict:
    with urllib.request.urlopen(url + "/web/api/status", timeout=10) as response:
        return json.loads(response.read())


def stalled_browser(url) -> socket.socket:
    """A browser that opens the feed and then never reads another octet."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /web/api/feed?queue=16 HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    return sock


def test_a_stalled_browser_costs_only_its_own_queue(page, station):
    url = station[1]
    driver = page("/web/#parameters")
    with urllib.request.urlopen(url + "/api/telemetry", timeout=10) as response:
        since = json.loads(response.read())["uptime"]["time"]
    before = status(url)["packets"]
    stalled = stalled_browser(url)
    try:
        uptime = driver.find_element(By.CSS_SELECTOR, 'tr[data-parameter="uptime"] td.value')
        seen = set()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:          # the other browser stays live all along
            seen.add(uptime.text)
            time.sleep(0.1)
        assert len(seen) >= 3
        after = status(url)
        assert after["packets"] - before >= 20              # ingest went on at its pace
        assert after["web"]["browsers"] >= 2                # this page and the stalled one (at least)
        assert max(after["web"]["dropped"]) > 0             # the stalled one lost its oldest...
        assert driver.execute_script("return window.perijove.dropped") == 0    # ...and only it
        with urllib.request.urlopen(f"{url}/api/archive/samples?parameter=uptime&from={since + 0.5}",
                                    timeout=10) as response:
            assert len(response.read().splitlines()) >= 2  # the archive kept everything meanwhile
    finally:
        stalled.close()


def test_a_page_that_falls_behind_is_told_how_much_it_lost(page):
    driver = page("/web/?queue=16#parameters")
    driver.execute_script("const end = Date.now() + 4000; while (Date.now() < end) {}")   # a busy page
    badge = driver.find_element(By.ID, "dropped")
    text = wait_until(lambda: badge.is_displayed() and badge.text, 5, "no drop count shown")
    assert text.startswith("dropped ") and int(text.split()[1]) > 0
    uptime = driver.find_element(By.CSS_SELECTOR, 'tr[data-parameter="uptime"] td.value')
    first = uptime.text
    wait_until(lambda: uptime.text != first, 5, "the page did not catch up")
