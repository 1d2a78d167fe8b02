"""The explore page in a real browser: headless Chromium driven by Selenium.

Skips, with one line saying what is missing, where Chromium, its driver or
Selenium is not installed (``apt-get install chromium chromium-driver``;
``pip install selenium``, in the ``dev`` extra). The numbers read off the page
are compared with the library's own replay of the same steps.
"""
import json
import shutil

import numpy as np
import pytest

from w2v_numpy.teaching.explore import recording_of

from explore_helpers import explore, replay

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
                None)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(CHROMIUM is None or DRIVER is None,
                                reason="chromium or chromedriver is not installed")
CLICKS = 12


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1500,1400"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _shown(driver):
    """What the page shows now: (step, loss text, touched row's param, row, new values)."""
    from selenium.webdriver.common.by import By
    row = driver.find_element(By.ID, "touched-row")
    return (driver.find_element(By.ID, "step").text, driver.find_element(By.ID, "loss-value").text,
            row.get_attribute("data-param"), row.get_attribute("data-row"),
            row.get_attribute("data-new"))


def _errors(driver):
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


@pytest.mark.parametrize("type_name", ["sgram_neg", "glove", "cbow_hs"])
def test_clicking_through_shows_the_librarys_numbers(tmp_path, browser, type_name):
    from selenium.webdriver.common.by import By
    proc, out = explore(tmp_path, "--type", type_name, "--steps", "40")
    assert proc.returncode == 0, proc.stderr
    rec = recording_of(out.read_text(encoding="utf-8"))
    browser.get(out.as_uri())
    assert _errors(browser) == []
    assert browser.find_element(By.ID, "step").text == "0"
    for _ in range(CLICKS):
        browser.find_element(By.ID, "next").click()
    step, loss, param, row, new = _shown(browser)
    model, losses = replay(rec, CLICKS)       # the library's run of the same CLICKS steps
    assert step == str(CLICKS)
    assert loss == f"{losses[-1]:.5f}"
    np.testing.assert_allclose(json.loads(new), np.atleast_1d(model.params[param][int(row)]),
                               rtol=1e-7, atol=1e-12)
    before = _shown(browser)
    # forward five, back five: the same numbers
    for _ in range(5):
        browser.find_element(By.ID, "next").click()
    assert _shown(browser)[0] == str(CLICKS + 5)
    for _ in range(5):
        browser.find_element(By.ID, "back").click()
    assert _shown(browser) == before
    # the slider: to the end, to the start, back to step CLICKS
    slider = browser.find_element(By.ID, "slider")
    for value in (len(rec["steps"]), 0, CLICKS):
        browser.execute_script("arguments[0].value = arguments[1];"
                               "arguments[0].dispatchEvent(new Event('input'));", slider, value)
        assert browser.find_element(By.ID, "step").text == str(value)
    assert _shown(browser) == before
    # play runs and pauses; hovering a word lists its neighbours
    browser.find_element(By.ID, "play").click()
    browser.find_element(By.ID, "play").click()
    word = browser.find_element(By.CSS_SELECTOR, "#map g.word")
    webdriver.ActionChains(browser).move_to_element(word).perform()
    assert "nearest to" in browser.find_element(By.ID, "neighbours").text
    browser.save_screenshot(str(tmp_path / f"explore_{type_name}.png"))
    assert (tmp_path / f"explore_{type_name}.png").stat().st_size > 10_000
    assert _errors(browser) == []


def test_every_trainable_type_replays_without_a_console_error(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from w2v_numpy.cli.settings import trainable_types
    from w2v_numpy.teaching.explore import page, preset_sentences, record
    for type_name in trainable_types():
        out = tmp_path / f"{type_name}.html"
        out.write_text(page(record(type_name, preset_sentences("fruit"), steps=15)),
                       encoding="utf-8")
        browser.get(out.as_uri())
        for button in ("next", "next10", "back", "next100"):
            browser.find_element(By.ID, button).click()
        assert browser.find_element(By.ID, "step").text == "15", type_name
        assert _errors(browser) == [], type_name
