"""Debian's Chromium at phone size, driven by Selenium through Debian's chromedriver.

Touches processes (chromium, chromedriver, and the store around the pages: the
web service, a headless kiosk, a console pager), a temporary HOME with an NSS
certificate database, the test broker and loopback sockets. No browser is downloaded:
Selenium Manager is switched off (SE_OFFLINE) and both binaries are Debian's.
For HTTPS the store's CA is trusted for real, in the NSS database Chromium
reads on Linux — never by ignoring certificate errors. Every wait is a
WebDriverWait with a deadline.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.processes import LineProcess
from tests.web_process import WebService, web_service

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
            # Every page this browser opens is on loopback; nothing may leave the machine: names do
            # not resolve, and any other address goes to a proxy that is not there (loopback never does).
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9",
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
        """Tap the first shown, enabled element matching `css`, waiting for one (found again if redrawn)."""

        def tapped() -> bool:
            element = next((e for e in self.find(css) if e.is_displayed() and e.is_enabled()), None)
            if element is None:
                return False
            element.click()
            return True

        self.until(tapped, f"{css} to tap", timeout)

    def type(self, css: str, text: str) -> None:
        element = self.one(css)
        element.clear()
        element.send_keys(text)

    def body_html(self) -> str:
        """Everything in the page's DOM now, as markup (what a test checks is not there)."""
        return str(self.js("return document.documentElement.outerHTML"))

    def script_errors(self) -> list[str]:
        """What went wrong in the page's own script or against its CSP since last asked (not failed loads)."""
        return [entry["message"] for entry in self.driver.get_log("browser")
                if entry.get("source") in ("javascript", "security") or entry.get("level") == "SEVERE"
                and entry.get("source") == "console-api"]  # fmt: skip

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        assert self.driver.save_screenshot(str(path)), f"no screenshot saved to {path}"


# -- the store around the pages: broker, web service, a headless kiosk, a console pager ----------


class Tokens:
    """The phone tokens the store's kiosks publish (retained, `store/<s>/requests/+/+/token`), as a
    bare paho subscriber hears them: request id -> token."""

    def __init__(self, broker_port: int, store: str) -> None:
        self.by_request: dict[str, str] = {}
        self._grew = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"tokens-{uuid.uuid4().hex[:8]}")
        topic = f"store/{store}/requests/+/+/token"
        self.client.on_connect = lambda client, *_: client.subscribe(topic, qos=1)
        self.client.on_message = self._heard
        self.client.connect("127.0.0.1", broker_port)
        self.client.loop_start()

    def _heard(self, _client: object, _userdata: object, message: mqtt.MQTTMessage) -> None:
        if not message.payload:
            return  # withdrawn after its grace
        body = json.loads(message.payload)
        with self._grew:
            self.by_request[body["request_id"]] = body["token"]
            self._grew.notify_all()

    def of(self, request_id: str, timeout: float = WAIT) -> str:
        with self._grew:
            if not self._grew.wait_for(lambda: request_id in self.by_request, timeout):
                raise TimeoutError(f"no token for {request_id} within {timeout}s; heard {list(self.by_request)}")
            return self.by_request[request_id]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def line(proc: LineProcess, prefix: str, timeout: float = WAIT) -> str:
    """The line starting with `prefix` a text front printed, whether read already or still to come."""
    return next((seen for seen in proc.seen if seen.startswith(prefix)), None) or proc.expect(prefix, timeout)


def words(printed: str) -> dict[str, str]:
    return dict(word.split("=", 1) for word in shlex.split(printed) if "=" in word)


@dataclass
class Store:
    """One store on the test broker: its web service (HTTPS, the store CA), a headless kiosk whose
    printed QR opens the shopper's page, a console pager, and the tokens heard on the broker."""

    id: str
    web: WebService
    kiosk: LineProcess
    pager: LineProcess
    tokens: Tokens
    pins: dict[str, str]
    broker: Any  # tests/broker.py Mosquitto
    printer: LineProcess | None = None  # the kiosk's virtual printer (`paper out` on its stdin)

    def ask(self, command: str) -> tuple[str, str]:
        """A shopper's request typed at the kiosk (`find blue paint`): its (ticket, request id)."""
        self.kiosk.send(command)
        said = self.kiosk.expect("ticket ")
        return shlex.split(said)[1], words(said)["id"]

    def ticket_url(self, request_id: str) -> str:
        return f"{self.web.url}/t/{self.tokens.of(request_id)}"

    def phone(self) -> Phone:
        return Phone(self.web.ca_file)

    def sign_in(self, phone: Phone, name: str) -> None:
        phone.open(f"{self.web.url}/staff")
        phone.type("#name", name)
        phone.type("#pin", self.pins[name])
        phone.tap("#signin-button")
        phone.one("#duty-view")


KIOSK_CONFIG = """[kiosk]
entrance = "North entrance"

[printer]
qr_url = "{url}/t/{{token}}"

[escalation]
help = {help}
"""


@contextmanager
def store(broker: Any, folder: Path, staff: list[tuple[str, str, str]], *, help_limits: tuple[int, int, int],
          printer: bool = False, recorder: bool = False, pager_name: str = "Dan",
          **web: Any) -> Iterator[Store]:  # fmt: skip
    """The store, each part started as the README says: `staff` (name, role, PIN) the web service's
    accounts; a help request escalates at `help_limits`; `printer`: the kiosk prints on the virtual
    printer; `recorder`: the store's recorder runs (today's figures for the managers)."""
    store_id = f"s{uuid.uuid4().hex[:8]}"
    tokens = Tokens(broker.port, store_id)
    started: list[LineProcess] = []
    daemons: list[LineProcess] = []  # read no stdin: stopped with SIGTERM, as a service manager does
    try:
        pages = web_service(folder / "web", broker_url=broker.url, store=store_id, staff=staff, tls=True, **web)
        with pages as service:
            if recorder:
                daemons.append(LineProcess(
                    "-m", "store_server.main", "--broker", broker.url, "--store", store_id,
                    "--device", f"recorder-{store_id}", "--data-dir", str(folder / "record"),
                ))  # fmt: skip
                daemons[-1].expect("subscribed")
            virtual, kiosk_args = None, []
            if printer:
                virtual = LineProcess("-m", "printer.virtual", "--out", str(folder / "printer"))
                started.append(virtual)
                kiosk_args = ["--printer", virtual.expect("port ").split()[1]]
            config = folder / "kiosk.toml"
            config.write_text(KIOSK_CONFIG.format(url=service.url, help=list(help_limits)), encoding="utf-8")
            kiosk = LineProcess(
                "run_kiosk.py", "--headless", "--broker", broker.url, "--store", store_id, "--device", "kiosk-1",
                "--config", str(config), "--data-dir", str(folder / "kiosk"), *kiosk_args,
            )  # fmt: skip
            started.append(kiosk)
            kiosk.expect("connection up")
            pager = LineProcess(
                "run_pager.py", "--console", "--broker", broker.url, "--store", store_id,
                "--staff", pager_name, "--device", f"pager-{pager_name.lower()}",
            )  # fmt: skip
            started.append(pager)
            pager.expect("connection up")
            pins = {name: pin for name, _role, pin in staff}
            yield Store(store_id, service, kiosk, pager, tokens, pins, broker, virtual)
    finally:
        for proc in reversed(started):
            proc.close()
        for proc in daemons:
            proc.proc.terminate()
            proc.proc.wait(WAIT)
        tokens.close()
