"""Who may do what from a browser: viewers see, operators command (a server with tokens); and a
page of another site cannot make the browser command the station (the loopback station, which
needs no token: the case where a browser's requests would otherwise be trusted)."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from conftest import wait_until
from selenium.webdriver.common.by import By

from fsw import launch

pytestmark = pytest.mark.timeout(60)
OPERATOR = "operator-token-0123456789"
VIEWER = "viewer-token-0123456789ab"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """The URL of a ground server that needs tokens, in front of a real fsw."""
    home = tmp_path_factory.mktemp("web-guarded")
    tokens = home / "tokens.json"
    tokens.write_text(json.dumps({"operators": [OPERATOR], "viewers": [VIEWER]}))
    tokens.chmod(0o600)
    fsw = launch.start("--clock", "sim", "--speed", "10", state=home / "fsw")
    server = subprocess.Popen([sys.executable, "-m", "ground.cli", "serve", "--port", fsw.port, "--no-archive",
                               "--tokens", str(tokens), "--key-file", str(fsw.key_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "PERIJOVE_HOME": str(home)})
    try:
        yield launch.wait_for_line(server, r"served on (http://\S+)", timeout=30).group(1)
    finally:
        launch.stop(server)
        fsw.stop()


def post(url, body: dict, headers: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_viewers_see_and_cannot_command(browser, guarded):
    browser.get(f"{guarded}/web/?token={VIEWER}#parameters")
    wait_until(lambda: browser.execute_script("return document.body.dataset.ready === '1'"), 15, "no page")
    assert browser.find_element(By.ID, "role").text == "viewer"
    temp = browser.find_element(By.CSS_SELECTOR, 'tr[data-parameter="cam_temp"]')
    wait_until(lambda: temp.get_attribute("class") == "nominal", 15, "a viewer gets no telemetry")
    browser.get(f"{guarded}/web/#commands")            # the token stays with the tab
    wait_until(lambda: browser.execute_script("return document.body.dataset.ready === '1'"), 15, "no page")
    form = browser.find_element(By.ID, "command-form")
    assert not form.find_element(By.CSS_SELECTOR, "button[type=submit]").is_enabled()
    assert "viewers see; operators command" in form.text
    # and the server refuses a viewer's command even from the page's own script
    answer = browser.execute_async_script("""
        const done = arguments[0];
        fetch('/web/api/session', {headers: {Authorization: 'Bearer ' + sessionStorage.getItem('perijove-token')}})
          .then(r => r.json()).then(s => fetch('/web/api/commands', {method: 'POST', body: '{"name": "ping"}',
            headers: {Authorization: 'Bearer ' + sessionStorage.getItem('perijove-token'), 'X-CSRF-Token': s.csrf,
                      'Content-Type': 'application/json'}}))
          .then(r => r.json().then(b => done([r.status, b.error])));""")
    assert answer == [403, "viewers cannot command"]


def test_operators_command(browser, guarded):
    browser.get(f"{guarded}/web/?token={OPERATOR}#commands")
    wait_until(lambda: browser.execute_script("return document.body.dataset.ready === '1'"), 15, "no page")
    assert browser.find_element(By.ID, "role").text == "operator"
    browser.find_element(By.CSS_SELECTOR, "#command-form button[type=submit]").click()      # ping
    row = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, '#command-table tr[data-command="ping"]'),
                     10, "the ping was not sent")[0]
    wait_until(lambda: "completed" in row.text, 10, "the ping did not complete")
    with pytest.raises(urllib.error.HTTPError) as refused:       # without a token: nothing
        urllib.request.urlopen(f"{guarded}/web/api/status", timeout=10)
    assert refused.value.code == 401


def test_a_page_of_another_site_cannot_command_the_station(page, station):
    url = station[1]
    uplink = lambda: json.loads(urllib.request.urlopen(url + "/api/status").read())["uplink"]  # noqa: E731
    before = uplink()
    # the same server under another name is another origin: what a hostile page would be
    driver = page("/web/")
    other = url.replace("127.0.0.1", "localhost")
    driver.get(other + "/web/")
    wait_until(lambda: driver.execute_script("return document.body.dataset.ready === '1'"), 15, "no page")
    outcome = driver.execute_async_script("""
        const [target, done] = arguments;
        const attempts = [
          fetch(target + '/api/commands', {method: 'POST', mode: 'no-cors', body: '{"name": "time_set", "args": {"seconds": 1}}',
                headers: {'Content-Type': 'text/plain'}}).then(() => 'sent', () => 'failed'),
          fetch(target + '/web/api/commands', {method: 'POST', mode: 'no-cors', body: '{"name": "time_set", "words": ["seconds=1"]}',
                headers: {'Content-Type': 'text/plain'}}).then(() => 'sent', () => 'failed'),
          new Promise(resolve => { const ws = new WebSocket(target.replace('http', 'ws') + '/api/stream');
                                   ws.onopen = () => resolve('open'); ws.onerror = () => resolve('refused'); }),
        ];
        Promise.all(attempts).then(done);""", url)
    assert outcome[2] == "refused"                         # the live stream is not read from elsewhere
    assert uplink() == before                               # nothing was radiated
    for path in ("/api/commands", "/web/api/commands", "/web/api/images/1/downlink"):   # what the server answered, and why
        status, body = post(url + path, {"name": "ping"}, {"Origin": "http://evil.example"})
        assert status == 403 and ("another site" in body or "CSRF token" in body)
    for path in ("/web/api/commands", "/web/api/images/1/downlink"):     # same origin, no CSRF token
        status, body = post(url + path, {"name": "ping"}, {})
        assert status == 403 and "CSRF token" in body
    assert uplink() == before
