"""A real headless Chromium driven by Selenium for the browser tier
(tests/browser): Debian's `chromium`, `chromium-driver` and
`python3-selenium`, installed by scripts/deps (STAFFGATE_WITH_BROWSER=1).

The browser trusts the test central's CA the way a workstation's browser
would, through its own NSS database (certutil, in a private $HOME), never
with --ignore-certificate-errors: a wrong certificate fails the test.
"""

import os
import subprocess
import sys
import time

import sgtest

CHROMIUM = sgtest.tier_input("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = sgtest.tier_input("CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = sgtest.tier_input("STAFFGATE_SCREENSHOT_DIR")

try:
    from selenium import webdriver  # noqa: E402
except ImportError:  # Debian's python3-selenium, when python3 is another build.
    sys.path.append("/usr/lib/python3/dist-packages")
    from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import (NoSuchElementException,  # noqa: E402
                                        StaleElementReferenceException)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

__all__ = ["Browser", "By", "Select"]


class Browser:
    """One headless Chromium with a profile and $HOME under `root` that
    trusts `ca_pem`. Screenshots go to STAFFGATE_SCREENSHOT_DIR (when set),
    named `<prefix>-NN-<what>.png`."""

    def __init__(self, root, ca_pem, prefix):
        self.home = os.path.join(root, "browser-home")
        nssdb = "sql:" + os.path.join(self.home, ".pki", "nssdb")
        os.makedirs(os.path.join(self.home, ".pki", "nssdb"))
        subprocess.run(["certutil", "-d", nssdb, "-N", "--empty-password"], check=True)
        subprocess.run(["certutil", "-d", nssdb, "-A", "-t", "C,,", "-n", "staffgate-test-ca",
                        "-i", ca_pem], check=True)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--window-size=900,1000",
                    "--user-data-dir=" + os.path.join(root, "browser-profile")):
            options.add_argument(arg)
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = self.home  # Chromium reads the NSS db under $HOME.
        try:
            self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        finally:
            if old_home is not None:
                os.environ["HOME"] = old_home
        self.driver.set_page_load_timeout(30)
        self.prefix = prefix
        self.shots = 0

    def close(self):
        self.driver.quit()

    def get(self, url):
        self.driver.get(url)

    def text(self):
        """The page's text; "" while a (self-refreshing) page is replaced."""
        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except (NoSuchElementException, StaleElementReferenceException):
            return ""

    def fill(self, field, value):
        element = self.driver.find_element(By.NAME, field)
        element.clear()
        element.send_keys(value)

    def submit(self, action):
        """Clicks the submit button of the form whose action ends with
        `action` (a page may hold several forms, sign-out among them)."""
        self.driver.find_element(By.CSS_SELECTOR,
                                 "form[action$='%s'] button[type=submit]" % action).click()

    def screenshot(self, what):
        if not SCREENSHOTS:
            return None
        os.makedirs(SCREENSHOTS, exist_ok=True)
        self.shots += 1
        path = os.path.join(SCREENSHOTS, "%s-%02d-%s.png" % (self.prefix, self.shots, what))
        self.driver.save_screenshot(path)
        return path

    def wait_text(self, needle, timeout, reload=False):
        """Waits until the page's text holds `needle` (the page may refresh
        itself; with `reload`, the test reloads it). Returns the text."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if needle in text:
                return text
            if time.monotonic() > deadline:
                raise AssertionError("the page never said %r; it says:\n%s" % (needle, text))
            time.sleep(0.25)
            if reload:
                self.driver.refresh()
