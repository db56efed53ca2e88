"""Headless Chromium for the tests that drive a page as a user does (selenium + chromedriver);
skips when either is missing. Each test module wraps `chromium()` in a fixture of its own."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
CHROMEDRIVER = shutil.which("chromedriver")


def chromium() -> Iterator[Any]:
    """A headless Chromium driven by selenium, with a fresh profile and no background network."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium: pip install 'chainrule[test]'")
    from selenium.webdriver.chrome.service import Service

    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("needs Chromium and chromedriver: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    # Explicit paths, so Selenium never looks for (or downloads) a browser of its own.
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="chainrule-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1200,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
