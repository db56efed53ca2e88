"""Headless Chromium for the tests that drive a page as a user does; they skip without it.

with chromium() as driver:
    driver.get(path.as_uri())
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
CHROMEDRIVER = shutil.which("chromedriver")


@contextmanager
def chromium(width: int = 1200, height: int = 900) -> Iterator[Any]:
    """A headless Chromium driven by selenium, or a skip naming what is missing."""
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
        f"--window-size={width},{height}",
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


def distinct_colours(png: bytes) -> tuple[int, dict[tuple[int, int, int], int]]:
    """How many colours a screenshot has, and its pixel count per colour."""
    image = pytest.importorskip("PIL.Image").open(io.BytesIO(png)).convert("RGB")
    counts = image.getcolors(image.width * image.height)
    return len(counts), {c: n for n, c in counts}


def near(counts: dict[tuple[int, int, int], int], target: tuple[int, int, int], within: int = 60) -> int:
    """Pixels whose colour is within `within` (summed over R, G, B) of `target`."""
    return sum(n for c, n in counts.items() if sum(abs(a - b) for a, b in zip(c, target)) < within)
