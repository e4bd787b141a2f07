"""Debian's Chromium at phone size, driven by Selenium through Debian's chromedriver.

Touches processes (chromium, chromedriver), a temporary HOME with an NSS
certificate database, and loopback sockets. No browser is downloaded:
Selenium Manager is switched off (SE_OFFLINE) and both binaries are Debian's.
For HTTPS the store's CA is trusted for real, in the NSS database Chromium
reads on Linux — never by ignoring certificate errors. Every wait is a
WebDriverWait with a deadline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE = {"width": 412, "height": 915, "pixelRatio": 2.0}
# A mid-range Android phone's Chrome, as staff phones and shoppers' phones send it.
MOBILE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
WAIT = 15.0


def missing() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists():
            return f"{path} not installed (Debian package {package})"
    if shutil.which("certutil") is None:
        return "certutil not installed (Debian package libnss3-tools)"
    return None


def trusting_home(ca_file: Path | None) -> tempfile.TemporaryDirectory[str]:
    """A temporary HOME whose NSS database trusts `ca_file` to name web servers."""
    home = tempfile.TemporaryDirectory(prefix="web-browser-home-")
    nssdb = Path(home.name) / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    certutil = ["certutil", "-d", f"sql:{nssdb}"]
    subprocess.run([*certutil, "-N", "--empty-password"], check=True, capture_output=True, timeout=30)
    if ca_file is not None:
        add = [*certutil, "-A", "-t", "C,,", "-n", "store-ca", "-i", str(ca_file)]
        subprocess.run(add, check=True, capture_output=True, timeout=30)
    return home


class Phone:
    """One headless Chromium the size of a phone; `.driver` is Selenium's. Use as a context manager.

    Phones opened with the same `profile` share cookies and storage, as tabs of
    one browser do; a fresh Phone is another person's phone."""

    def __init__(self, ca_file: Path | None = None, *, wait: float = WAIT) -> None:
        self.wait_seconds = wait
        self._home = trusting_home(ca_file)
        self._profile = tempfile.TemporaryDirectory(prefix="web-browser-profile-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-background-networking", "--disable-sync", "--disable-component-update",
            "--disable-default-apps", "--mute-audio", f"--user-data-dir={self._profile.name}",
            # Every page this browser opens is on loopback; nothing may leave the machine.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        ):  # fmt: skip
            options.add_argument(flag)
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE, "userAgent": MOBILE_AGENT})
        # performance entries of the page (transfer sizes) and the console, for the tests to read
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        environment = {**os.environ, "HOME": self._home.name, "SE_OFFLINE": "true"}
        service = Service(CHROMEDRIVER, env=environment)
        previous = os.environ.get("SE_OFFLINE")
        os.environ["SE_OFFLINE"] = "true"  # Selenium Manager reads it in this process too
        try:
            self.driver = webdriver.Chrome(service=service, options=options)
        except WebDriverException:
            self._home.cleanup()
            self._profile.cleanup()
            raise
        finally:
            if previous is None:
                os.environ.pop("SE_OFFLINE", None)
            else:
                os.environ["SE_OFFLINE"] = previous
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)

    def __enter__(self) -> Phone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self._home.cleanup()
            self._profile.cleanup()

    # -- looking at the page ---------------------------------------------------

    def open(self, url: str) -> None:
        self.driver.get(url)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def until(self, test: Callable[[], Any], what: str, timeout: float | None = None) -> Any:
        """Wait for `test()` to give something true; its value. `what` names it when time runs out."""

        def attempt(_driver: object) -> Any:
            try:
                return test()
            except StaleElementReferenceException:
                return None  # the page redrew the element meanwhile: look again

        waiting = WebDriverWait(self.driver, timeout or self.wait_seconds, poll_frequency=0.05)
        return waiting.until(attempt, f"waited {timeout or self.wait_seconds}s for {what}")

    def find(self, css: str) -> list[WebElement]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def one(self, css: str, timeout: float | None = None) -> WebElement:
        """The first shown element matching `css`, waiting for it."""
        return self.until(lambda: next((e for e in self.find(css) if e.is_displayed()), None), css, timeout)

    def text(self, css: str) -> str:
        return " ".join(e.text for e in self.find(css) if e.is_displayed())

    def until_text(self, css: str, wanted: str, timeout: float | None = None) -> str:
        """Wait until a shown element matching `css` holds `wanted`; all their text."""
        return self.until(lambda: wanted in self.text(css) and self.text(css), f"{wanted!r} in {css}", timeout)

    def tap(self, css: str, timeout: float | None = None) -> None:
        element = self.one(css, timeout)
        self.until(lambda: element.is_enabled(), f"{css} enabled", timeout)
        element.click()

    def type(self, css: str, text: str) -> None:
        element = self.one(css)
        element.clear()
        element.send_keys(text)

    def body_html(self) -> str:
        """Everything in the page's DOM now, as markup (what a test checks is not there)."""
        return str(self.js("return document.documentElement.outerHTML"))

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        assert self.driver.save_screenshot(str(path)), f"no screenshot saved to {path}"
