"""The browser tests' harness: the real service on 127.0.0.1 and Debian's headless Chromium.

The service is what `sic serve` runs (api.app.create_app) under uvicorn in a thread, over a
throwaway on-disk store that its lifespan fills with the reference workbook. The browser is the
`chromium` on PATH (the Debian package, installed by .ci/run), driven by Playwright with
`executable_path`: Playwright never downloads a browser here. Every request a page makes to
anything but this service is refused and recorded, so the tests also prove that the pages need
no internet. Without chromium or Playwright the tests skip and say why.

Screenshots of every page go to tests/artifacts/ (git-ignored), at a desktop and a phone width.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the service, running over a fresh store of the reference workbook."""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    store = tmp_path_factory.mktemp("web") / "store"
    # the reference workbook alone: the figures are checked against it
    app = create_app(Settings(store=store, query_workers=2, iati_sample=False))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (skips, saying why, without them)."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("no `chromium` on PATH: install the Debian package (.ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A browser context for one test: its page, and what it tried to fetch elsewhere."""

    page: Any
    base: str
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        """Go to a path of the service; fail on any HTTP error."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return response

    def shoot(self, name: str) -> None:
        """A full-page screenshot in tests/artifacts/ (`name`-desktop.png or -phone.png)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        width = self.page.viewport_size["width"]
        suffix = "phone" if width < 600 else "desktop"
        self.page.screenshot(path=str(ARTIFACTS / f"{name}-{suffix}.png"), full_page=True)

    def accessibility_violations(self) -> list[str]:
        """Serious or critical axe-core findings on the current page (WCAG 2.1 A and AA)."""
        self.page.add_script_tag(path=str(AXE))
        found = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',
                    'wcag21aa', 'best-practice']});
                return r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' '))
                        .join(' | '));
            }"""
        )
        return list(found)


def _visit(browser: Any, service: str, viewport: dict[str, int], **options: Any) -> Iterator[Visit]:
    context = browser.new_context(viewport=viewport, **options)
    visit = Visit(context.new_page(), service)

    def guard(route: Any) -> None:
        if route.request.url.startswith(service):
            route.continue_()
        else:
            visit.outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    visit.page.on("pageerror", lambda error: visit.errors.append(str(error)))
    yield visit
    context.close()
    assert not visit.outside, f"pages asked for something outside the service: {visit.outside}"
    assert not visit.errors, f"JavaScript errors: {visit.errors}"


@pytest.fixture
def desktop(browser: Any, service: str) -> Iterator[Visit]:
    """A desktop-sized browser tab on the service, in English."""
    yield from _visit(browser, service, DESKTOP, locale="en-GB")


@pytest.fixture
def phone(browser: Any, service: str) -> Iterator[Visit]:
    """A phone-sized, touch browser tab on the service."""
    yield from _visit(browser, service, PHONE, locale="en-GB", is_mobile=True, has_touch=True)


@pytest.fixture
def visit_factory(browser: Any, service: str) -> Iterator[Any]:
    """Tabs with other options (a browser language, another size), closed after the test."""
    opened: list[Iterator[Visit]] = []

    def make(viewport: dict[str, int] = DESKTOP, **options: Any) -> Visit:
        generator = _visit(browser, service, viewport, **options)
        opened.append(generator)
        return next(generator)

    yield make
    for generator in opened:
        next(generator, None)
