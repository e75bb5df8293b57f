"""A real browser (Debian's chromium, headless, driven by selenium and chromedriver) against a real
``stormdrill workshop serve``: the page opens, a wrong code is refused, the right code and a name
get the trainee in, and the feed shows the storm so far.

The terminal in the page draws on a canvas, so the test reads what the app sends: a script added
before the page loads keeps the text of every websocket frame, and the test strips the escape codes.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sim.workshop.store import open_store
from tests.workshop.conftest import workshop_of

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

from .procs import serving

CODE = "BRWS-4R7K"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
TAP = """
window.__sd = [];
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new Native(...args);
  const decoder = new TextDecoder();
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string") window.__sd.push(decoder.decode(new Uint8Array(e.data), {stream: true}));
  });
  return ws;
};
window.WebSocket.prototype = Native.prototype;
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with serving(tmp_path / "home", CODE) as (url, _):
        # The facilitator started the clock five minutes ago: the storm so far is in the feed.
        store = open_store(None)
        store.control(workshop_of(store).id, "start", wall=time.time() - 300)
        store.close()
        yield url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chrome]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TAP})
    try:
        yield driver
    finally:
        driver.quit()


def screen_text(driver: Chrome) -> str:
    raw = "".join(driver.execute_script("return window.__sd || []"))
    return " ".join(ANSI.sub(" ", raw).split())


def wait_for(driver: Chrome, what: Callable[[str], bool], timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = screen_text(driver)
        if what(text):
            return text
        time.sleep(0.2)
    raise AssertionError(f"not on screen after {timeout} s; the screen said: {screen_text(driver)[-1500:]}")


def type_in(driver: Chrome, *keys: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    for k in keys:
        box.send_keys(k)
        time.sleep(0.15)


def test_a_browser_joins_a_served_workshop_and_sees_the_feed(served: str, browser: Chrome) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get(served)
    wait_for(browser, lambda t: "Join the workshop" in t and "Join code" in t)
    type_in(browser, "WRONG-CODE", Keys.TAB, "Mallory", Keys.ENTER)
    wait_for(browser, lambda t: "That code is not right" in t)
    assert "Empty Ovens" not in screen_text(browser)
    time.sleep(1.2)  # the wait after one wrong code
    browser.get(served)  # a fresh tab: a new console process
    wait_for(browser, lambda t: "Join the workshop" in t)
    type_in(browser, CODE.lower(), Keys.TAB, "Bea Browser", Keys.ENTER)
    wait_for(browser, lambda t: "Empty Ovens" in t and "Press Enter" in t, timeout=60)
    type_in(browser, Keys.ENTER)
    # The console: the status bar and the storm so far (five minutes of posts) in the feed.
    text = wait_for(browser, lambda t: "Pressure" in t and "Thanks a lot @crumblys" in t, timeout=60)
    assert "09:0" in text  # the room's clock, five minutes in
    store = open_store(None)
    [seat] = store.roster(workshop_of(store).id)
    assert seat.name == "Bea Browser"  # the wrong code seated nobody
