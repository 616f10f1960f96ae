"""A real server on a free port and a real headless Debian Chromium driving it.

No browser is ever downloaded: the distribution's /usr/bin/chromium and chromedriver are
used, and the tests fail (not skip) when they are missing.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from werkzeug.serving import make_server

from tests.conftest import ROOT
from tests.handler_calls import TUESDAY_10AM
from tests.twilio_client import TwilioClient

CHROMIUM = os.environ.get("HELPLINE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HELPLINE_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--window-size=1280,900")  # fmt: skip


@dataclass
class LiveServer:
    """The app served over real HTTP, and a way to post signed webhooks to it."""

    app: Flask
    url: str

    def webhook(self, path: str, params: dict[str, str]) -> requests.Response:
        """POST a form signed as Twilio signs it for this server's URL; wait for the log."""
        signer = TwilioClient(self.app, self.app.test_client())
        signature = signer.sign(self.url + path, params)
        response = requests.post(self.url + path, data=params, timeout=10,
                                 headers={"X-Twilio-Signature": signature})  # fmt: skip
        self.app.extensions["helpline.writer"].drain()
        return response


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the test app on a free port in a background thread."""
    app.extensions["helpline.clock"] = lambda: TUESDAY_10AM  # in hours, every test
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.port}")
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """Return the folder the browser saves downloads into."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(downloads: Path) -> Iterator[WebDriver]:
    """Start headless Chromium from the distribution; fail loudly if it is not installed."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    if missing:
        pytest.fail(f"browser tests need Debian's chromium and chromedriver: missing {missing}")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})  # fmt: skip
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})  # fmt: skip
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def screenshot(driver: WebDriver, name: str) -> None:
    """Save a screenshot of the current page as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
