"""One way to start Chromium for every browser test: Debian's binary, headless, with the flags
that keep it from reaching the network, driven by Playwright for Python."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Where the tests leave the screenshots the README shows (copied to docs/screenshots by hand).
SHOTS = Path(__file__).resolve().parents[1] / "reports" / "screenshots"

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: apt-get install chromium"
)


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched Chromium (Playwright's `Browser`), closed on exit."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Every violation of the Content-Security-Policy, reported by the page itself (survives
# navigations): add it with `context.add_init_script(CSP_REPORT)`, read
# `sessionStorage.getItem("csp")`.
CSP_REPORT = """document.addEventListener("securitypolicyviolation", (e) => {
  const seen = JSON.parse(sessionStorage.getItem("csp") || "[]");
  seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
  sessionStorage.setItem("csp", JSON.stringify(seen));
});"""
WAIT_MS = 15_000  # what a page may take to show a change on a busy 2-core machine
