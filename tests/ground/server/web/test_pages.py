"""Each page of the web station in a real browser, against a real `ground serve` and `fsw`: what
a person does there, and what they then see."""

import json
import re
import urllib.error
import urllib.request

import pytest
from conftest import wait_until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

pytestmark = pytest.mark.timeout(60)


def send_from_form(driver, command, **values):
    """Choose a command in the form, fill its fields, press Send."""
    Select(driver.find_element(By.CSS_SELECTOR, "#command-form select[name=command]")).select_by_value(command)
    form = driver.find_element(By.ID, "command-form")
    for name, value in values.items():
        control = form.find_element(By.CSS_SELECTOR, f"[name={name}]")
        if control.tag_name == "select":
            Select(control).select_by_value(str(value))
        else:
            control.clear()
            control.send_keys(str(value))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def command_row(driver, command, timeout=15):
    return wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, f'#command-table tr[data-command="{command}"]'),
                      timeout, f"no row for {command}")[0]


def outcome_of(row, timeout=15) -> str:
    return wait_until(lambda: row.find_elements(By.TAG_NAME, "td")[5].text != "pending"
                      and row.find_elements(By.TAG_NAME, "td")[5].text, timeout, "no outcome")


def test_parameters_arrive_live_with_units_and_limit_colours(page):
    driver = page("/web/#parameters")
    temp = driver.find_element(By.CSS_SELECTOR, 'tr[data-parameter="cam_temp"]')
    wait_until(lambda: temp.get_attribute("class") == "nominal", 15, "cam_temp never arrived")
    cells = temp.find_elements(By.TAG_NAME, "td")
    assert -40 < float(cells[1].text) < 65 and cells[2].text == "degC"
    # safe mode counts an entry, and safe_entries is yellow above 0
    driver.get(driver.current_url.split("#")[0] + "#commands")
    send_from_form(driver, "mode_safe")
    assert outcome_of(command_row(driver, "mode_safe")) == "completed"
    send_from_form(driver, "mode_nominal")                  # hazardous: armed once confirmed
    driver.find_element(By.ID, "confirm-hazardous").click()
    assert outcome_of(command_row(driver, "mode_nominal")) == "completed"
    driver.get(driver.current_url.split("#")[0] + "#parameters")
    entries = driver.find_element(By.CSS_SELECTOR, 'tr[data-parameter="safe_entries"]')
    wait_until(lambda: entries.get_attribute("class") == "yellow", 15, "safe_entries never turned yellow")
    value = entries.find_element(By.CSS_SELECTOR, "td.value")
    assert int(value.text) >= 1
    assert value.value_of_css_property("background-color") == "rgba(227, 179, 65, 1)"


def test_a_parameter_that_stops_arriving_turns_stale_and_fresh_again(page):
    driver = page("/web/?stale=1.5#parameters")               # dim after 1.5 s without news
    temp = driver.find_element(By.CSS_SELECTOR, 'tr[data-parameter="cam_temp"]')      # structure 20
    mode = driver.find_element(By.CSS_SELECTOR, 'tr[data-parameter="mode"]')          # structure 3
    wait_until(lambda: temp.get_attribute("class") == "nominal", 15, "cam_temp never arrived")
    driver.get(driver.current_url.split("#")[0] + "#commands")
    send_from_form(driver, "hk_disable", sid=20)          # the thermal reports stop coming
    try:
        assert outcome_of(command_row(driver, "hk_disable")) == "completed"
        driver.get(driver.current_url.split("#")[0] + "#parameters")
        wait_until(lambda: temp.get_attribute("class") == "stale", 10, "cam_temp never turned stale")
        value = temp.find_element(By.CSS_SELECTOR, "td.value")
        assert driver.execute_script("return getComputedStyle(arguments[0], '::after').content", value) == '" ~"'
        assert value.value_of_css_property("color") == "rgba(125, 139, 153, 1)"     # dim
        assert float(value.text) > -40                          # the last value is still shown
        assert mode.get_attribute("class") != "stale"           # its structure still comes
    finally:
        driver.get(driver.current_url.split("#")[0] + "#commands")
        send_from_form(driver, "hk_enable", sid=20)
    assert outcome_of(command_row(driver, "hk_enable")) == "completed"
    driver.get(driver.current_url.split("#")[0] + "#parameters")
    wait_until(lambda: temp.get_attribute("class") == "nominal", 10, "cam_temp never came back")


def test_events_filtered_by_severity_and_search(page):
    driver = page("/web/#commands")
    send_from_form(driver, "time_set", seconds=757_000_000)
    assert outcome_of(command_row(driver, "time_set")) == "completed"
    driver.find_element(By.CSS_SELECTOR, 'a[href="#events"]').click()
    section = driver.find_element(By.ID, "events")
    wait_until(lambda: section.find_elements(By.CSS_SELECTOR, 'tr[data-event="time_set"]'), 10, "no time_set event")
    search = section.find_element(By.NAME, "search")
    search.send_keys("time_set")
    rows = section.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows and all(r.get_attribute("data-event") == "time_set" for r in rows)
    Select(section.find_element(By.NAME, "severity")).select_by_value("medium")    # time_set is info
    assert section.find_elements(By.CSS_SELECTOR, "tbody tr") == []
    assert "0 of" in section.find_element(By.CSS_SELECTOR, ".toolbar .hint").text
    Select(section.find_element(By.NAME, "severity")).select_by_value("info")
    search.send_keys(Keys.BACKSPACE * len("time_set"))                 # every event again
    shown, total = section.find_element(By.CSS_SELECTOR, ".toolbar .hint").text.split()[0:3:2]
    assert shown == total and len(section.find_elements(By.CSS_SELECTOR, "tbody tr")) == int(shown)


def test_command_form_checks_ranges_shows_stages_and_keeps_history(page):
    driver = page("/web/#commands")
    Select(driver.find_element(By.CSS_SELECTOR, "#command-form select[name=command]")).select_by_value("cam_configure")
    form = driver.find_element(By.ID, "command-form")
    exposure = form.find_element(By.NAME, "exposure")
    assert exposure.get_attribute("min") == "1" and exposure.get_attribute("max") == "2000"
    assert "ms" in form.text                                       # the unit beside it
    compression = Select(form.find_element(By.NAME, "compression"))
    assert {o.text for o in compression.options} >= {"lossless", "lossy"}
    assert form.find_elements(By.CSS_SELECTOR, '[data-name="filters"] input[type=checkbox]')   # flag bits
    send_from_form(driver, "cam_configure", exposure=0)            # out of range: the browser says so
    assert driver.execute_script("return !document.querySelector('#command-form [name=exposure]').validity.valid")
    assert not driver.find_elements(By.CSS_SELECTOR, '#command-table tr[data-command="cam_configure"]')
    send_from_form(driver, "ping")
    row = command_row(driver, "ping")
    assert outcome_of(row) == "completed"
    stages = [s.text for s in row.find_elements(By.CSS_SELECTOR, ".stage")]
    assert stages[0] == "queued" and {"radiated", "accepted", "completed"} <= set(stages)   # CLCW ack: any time
    # hazardous: nothing goes until the person confirms, then the arm goes with it
    send_from_form(driver, "cam_delete", image_id=4242)
    confirm = driver.find_element(By.ID, "confirm-hazardous")
    assert "hazardous" in driver.find_element(By.CSS_SELECTOR, ".confirm").text
    assert not driver.find_elements(By.CSS_SELECTOR, '#command-table tr[data-command="cam_delete"]')
    confirm.click()
    assert outcome_of(command_row(driver, "arm")) == "completed"
    assert outcome_of(command_row(driver, "cam_delete")).startswith("failed")     # no such image
    # another session: the history comes from the server's archive
    request_id = row.get_attribute("data-request")
    driver.refresh()
    page("/web/#commands")
    again = wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, f'#command-table tr[data-request="{request_id}"]'),
                       10, "the ping is not in the history")[0]
    assert outcome_of(again) == "completed" and "accepted" in again.text


def test_link_status(page, station):
    driver = page("/web/#link")

    def shown(table, key):       # the view redraws every second: read it afresh each time
        return driver.execute_script(
            f"return document.querySelector('#{table} tr[data-key={key}] td')?.textContent")

    wait_until(lambda: shown("link-main", "frames"), 5, "no link status")
    assert driver.find_element(By.ID, "link-line").text == "line up"
    assert shown("link-main", "port") == station[0].port
    first = int(shown("link-main", "frames"))
    wait_until(lambda: int(shown("link-main", "frames")) > first, 10, "frames did not go up")
    assert shown("link-errors", "fecf_errors") == "0" and shown("link-errors", "crc_errors") == "0"
    assert shown("link-uplink", "frame_seq") is not None or driver.find_element(By.ID, "link-uplink").text


def test_plots_several_parameters_and_x_y(page):
    driver = page("/web/#plots")
    section = driver.find_element(By.ID, "plots")
    legend = section.find_element(By.CSS_SELECTOR, "#time-plot .u-legend").text
    assert "cam_temp" in legend and "heater_power" in legend
    points = lambda: driver.execute_script(  # noqa: E731
        "return [...document.querySelectorAll('#xy-plot')].length && "
        "parseInt(document.querySelector('#plots .toolbar .hint').textContent)")
    wait_until(lambda: points() >= 3, 20, "the X-Y plot got no points")
    assert section.find_elements(By.CSS_SELECTOR, "#time-plot canvas")
    # a third parameter joins the chart
    section.find_element(By.CSS_SELECTOR, '.checks input[value="store_used"]').click()
    assert "store_used" in section.find_element(By.CSS_SELECTOR, "#time-plot .u-legend").text


def test_archive_query_and_csv(page):
    driver = page("/web/#archive")
    section = driver.find_element(By.ID, "archive")
    wait_until(lambda: driver.execute_script(
        "return fetch('/api/archive/samples?parameter=cam_temp').then(r => r.text()).then(t => t.length)"),
        10, "nothing archived yet")
    section.find_element(By.ID, "archive-query").click()
    status = section.find_element(By.ID, "archive-status")
    wait_until(lambda: status.text.endswith("samples") and int(status.text.split()[0]) > 0, 10, "no samples")
    assert section.find_elements(By.CSS_SELECTOR, "#archive-table tbody tr")
    assert not section.find_element(By.ID, "archive-plot").get_attribute("hidden")
    href = section.find_element(By.ID, "archive-csv").get_attribute("href")
    text = driver.execute_script("return fetch(arguments[0]).then(r => r.text())", href)
    lines = text.strip().splitlines()
    assert lines[0] == "time_utc,onboard_s,parameter,value,unit"
    assert len(lines) > 1 and all(",cam_temp," in line and line.endswith(",degC") for line in lines[1:])


def test_a_station_missing_its_assets_says_how_to_install_them(tmp_path, monkeypatch):
    from ground.counters import UplinkCounters
    from ground.server.run import EmbeddedServer
    from ground.server.station import GroundServer
    from ground.server.web import routes

    monkeypatch.setattr(routes, "UPLOT", tmp_path / "node_modules" / "uplot" / "dist")   # a fresh clone
    monkeypatch.setattr(routes, "VENDOR", {name: routes.UPLOT / name for name in routes.VENDOR})
    server = GroundServer("loop://", counters=UplinkCounters(tmp_path / "counters.json"))
    with EmbeddedServer(server) as embedded:
        for path in ("/web/", "/web/vendor/uPlot.iife.min.js"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(embedded.url + path, timeout=10)
            assert refused.value.code == 503
            line = refused.value.read().decode()
            assert line.count("\n") == 1 and "npm ci --prefix" in line and "ground/server/web" in line


def status(url):
    with urllib.request.urlopen(url + "/web/api/status") as response:
        return json.loads(response.read())


def test_images_listed_downlinked_with_progress_and_shown(page, station):
    from ground.procedures import connect

    with connect(server=station[1]) as gs:           # a camera with an image in its store
        gs.send("clock_speed", speed=500)              # the warm-up passes in a moment
        gs.send("cam_power", state="on")
        gs.await_event("cam_ready", timeout=20)
        gs.send("clock_speed", speed=10)
        gs.send("cam_configure", exposure=5, filters=7, tdi=2, readout="sum4")
        gs.send("cam_capture", framelets=32, timeout=30)     # ~0.8 MB: a file that takes a while
        image_id = gs.await_event("image_captured", timeout=10).fields["image_id"]
    driver = page("/web/#images")
    driver.find_element(By.ID, "list-images").click()
    stored = wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, f'#image-store tr[data-stored="{image_id}"]'),
                        10, "the image is not in the list")[0]
    # every text the image's card shows, as a person watching it would see it change
    driver.execute_script("""
        window.cardTexts = [];
        new MutationObserver(() => {
            const hint = document.querySelector(`#gallery [data-image="${arguments[0]}"] .hint`);
            if (hint && window.cardTexts[window.cardTexts.length - 1] !== hint.textContent) window.cardTexts.push(hint.textContent);
        }).observe(document.getElementById("gallery"), { subtree: true, childList: true, characterData: true });
    """, image_id)
    stored.find_element(By.TAG_NAME, "button").click()
    card = wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, f'#gallery [data-image="{image_id}"]'),
                      10, "no progress for the image")[0]
    wait_until(lambda: "complete" in card.text, 30, f"the image did not come down whole: {card.text}")
    assert "red+green+blue" in card.text and "km from Io" in card.text and "CFDP class 2" in card.text
    seen = [tuple(map(int, found.groups())) for text in driver.execute_script("return window.cardTexts")
            if (found := re.match(r"(\d+) of (\d+) octets", text))]
    size = seen[-1][1]
    assert seen[-1][0] == size and any(got < size for got, _ in seen[:-1]), seen   # it moved, then it was whole
    picture = card.find_element(By.TAG_NAME, "img")
    width = wait_until(lambda: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth",
                                                     picture), 10, "the picture did not load")
    assert width > 100
    bar = card.find_element(By.CSS_SELECTOR, ".progress > div")
    assert bar.get_attribute("style").replace(" ", "") == "width:100%;"
    # an image the camera does not hold: the page says why it did not come down
    answer = driver.execute_async_script("""
        const done = arguments[0];
        fetch('/web/api/session').then(r => r.json()).then(s => fetch('/web/api/images/4242/downlink',
            {method: 'POST', headers: {'X-CSRF-Token': s.csrf}})).then(r => r.json().then(b => done([r.status, b.error])));""")
    assert answer[0] == 409 and "no_such_item" in answer[1], answer
