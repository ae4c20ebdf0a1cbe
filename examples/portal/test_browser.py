"""The portal in headless Chromium (Debian's chromium + chromium-driver, Selenium 4).

Started by examples/portal/test.sh, which runs the portal (PORTAL_URL) and
saves screenshots to SCREENS (target/browser-screens/).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

import regcore

URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8765")
EXPRESS_URL = os.environ.get("EXPRESS_URL")
SCREENS = Path(os.environ.get("SCREENS", "/tmp/regcore-screens"))
OUTBOX = Path(os.environ.get("PORTAL_DATA", "data")) / "outbox.jsonl"
PW = "Sakura-2026!"
WEAK = "ｐａｓｓ"


def chromium_binary() -> str:
    for path in ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            return path
    raise RuntimeError("Debian's chromium is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    SCREENS.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,900",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-gpu",
    ):
        options.add_argument(arg)
    # Accept-Language: ja first (the Express page follows it; the portal uses its language cookie).
    options.add_experimental_option("prefs", {"intl.accept_languages": "ja,en"})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def shot(b: WebDriver, name: str) -> None:
    b.save_screenshot(str(SCREENS / f"{name}.png"))


def fill(b: WebDriver, **fields: str) -> None:
    for name, value in fields.items():
        el = b.find_element(By.ID, name)
        el.clear()
        el.send_keys(value)
    page = b.find_element(By.TAG_NAME, "html")
    b.find_element(By.ID, "submit").click()
    WebDriverWait(b, 30).until(expected_conditions.staleness_of(page))
    WebDriverWait(b, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def text(b: WebDriver, css: str) -> str:
    return str(b.find_element(By.CSS_SELECTOR, css).text)


def test_portal_flow(browser: WebDriver) -> None:
    b = browser
    email = f"taro.{uuid.uuid4().hex[:6]}@example.com"
    b.get(URL + "/lang/ja/?next=/signup/")

    # 1. A weak password: every unmet ups_site rule, in Japanese.
    fill(b, email=email, password=WEAK)
    shown = [li.text for li in b.find_elements(By.CSS_SELECTOR, "#errors li")]
    expected = [v.message_ja for v in regcore.PasswordPolicy.ups_site().check(WEAK, user_id=email, email=email).violations]
    assert shown == expected and len(shown) >= 4
    shot(b, "01-signup-violations-ja")

    # 2. A good one: the code goes to the outbox.
    fill(b, email=email, password=PW)
    assert "/verify/" in b.current_url
    b.get(URL + "/outbox/")
    row = next(r for r in b.find_elements(By.CSS_SELECTOR, "#outbox tr") if email in r.text)
    code = row.find_element(By.CSS_SELECTOR, ".body").text.strip()
    assert len(code) == 6 and code.isdigit()
    shot(b, "02-outbox")
    b.get(URL + f"/verify/?email={email}")
    fill(b, code=code)
    assert "/login/" in b.current_url, b.find_element(By.TAG_NAME, "body").text
    assert b.find_element(By.ID, "verified")

    # 3. Five wrong passwords: the fifth locks, with the retry time.
    for i in range(5):
        b.get(URL + "/login/")
        fill(b, username=email, password=f"wrong-{i}")
    locked = text(b, "#locked")
    retry = int(text(b, "#retry-after"))
    assert retry >= 1 and locked
    assert "ロック" in locked or "後" in locked, locked
    shot(b, "03-login-locked-ja")

    # 4. After the retry time the right password gets in.
    time.sleep(retry + 0.5)
    b.get(URL + "/login/")
    fill(b, username=email, password=PW)
    assert "/ups/" in b.current_url, b.page_source[:500]
    assert text(b, "#who") == email

    # 5. A UPS serial and its key code, decimal and binary.
    master = regcore.MasterSecret(1, bytes.fromhex("00" * 16 + "11" * 16))
    fill(b, serial="ＢＸ５０Ｆ-001234")
    expected_code = regcore.KeyCode.for_serial(master, "BX50F-001234")
    assert text(b, "#decimal") == expected_code.decimal
    assert text(b, "#binary") == expected_code.binary
    shot(b, "04-ups-key-code")

    # 6. Dealer: a registration key for a terminal, then a second terminal refused.
    b.get(URL + "/dealer/")
    number = text(b, "#samples .number")
    rid = text(b, "#samples .rid")
    mpr = uuid.uuid4().hex[:16].upper()
    fill(b, mpr_id=mpr, activation_key=number, registration_id=rid)
    assert b.find_elements(By.ID, "outcome"), b.find_element(By.TAG_NAME, "body").text
    if "refused" in text(b, "#outcome"):  # a previous run bound this key: use the next one
        pytest.fail("sample activation key already bound; the test needs fresh portal data")
    assert "issued" in text(b, "#outcome") and text(b, "#registration-key")
    other = uuid.uuid4().hex[:16].upper()
    fill(b, mpr_id=other, activation_key=number, registration_id=rid)
    assert "refused" in text(b, "#outcome")
    refusal = text(b, "#refusal")
    assert refusal and "端末" in refusal, refusal
    shot(b, "05-dealer-second-terminal-refused-ja")


@pytest.mark.skipif(not EXPRESS_URL, reason="EXPRESS_URL not set (examples/express not started)")
def test_express_guard_flow(browser: WebDriver) -> None:
    b = browser
    user = f"hana{uuid.uuid4().hex[:6]}"
    for i in range(5):
        b.get(f"{EXPRESS_URL}/login")
        fill(b, username=user, password=f"wrong-{i}")
    body = text(b, "body")
    assert "429" in body or "Retry-After" in body, body
    retry = int(text(b, "#retry-after"))
    assert retry >= 1
    assert "ロック" in text(b, "#locked"), text(b, "#locked")  # core's message, by Accept-Language
    shot(b, "06-express-locked-ja")
    time.sleep(retry + 0.5)
    b.get(f"{EXPRESS_URL}/login")
    fill(b, username=user, password="Sakura-2026!")
    assert text(b, "#welcome"), b.page_source[:300]
    shot(b, "07-express-logged-in")
