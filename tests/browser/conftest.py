"""Headless Chromium for end-to-end tests, driven by Playwright against a live server.

Chromium comes from the system's packages (`.ci/run` installs Debian's `chromium`);
Playwright only drives it, it never downloads a browser. Screenshots of each step go to
`test-output/screenshots/`, which CI keeps as artifacts.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls that the tests
# make between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("Chromium is not installed here: `apt-get install chromium` to run these")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


def _context(browser, viewport, language):
    context = browser.new_context(viewport=viewport, locale=language)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def desktop(browser):
    context = _context(browser, DESKTOP, "nl-BE")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = _context(browser, PHONE, "nl-BE")
    yield context.new_page()
    context.close()


# The smallest phone a public page must fit: 320 px, no sideways scrolling.
SMALL_PHONE = {"width": 320, "height": 640}


@pytest.fixture
def small_phone(browser):
    context = _context(browser, SMALL_PHONE, "nl-BE")
    yield context.new_page()
    context.close()


@pytest.fixture
def check_public(assert_accessible):
    """check_public(page): a public page works without JavaScript, passes axe and fits a
    320 px screen without scrolling sideways."""

    def check(page):
        assert "<script" not in page.content()
        assert_accessible(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SMALL_PHONE["width"], "the page scrolls sideways on a small phone"

    return check


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step name") saves test-output/screenshots/<test>/<nn>-<step>.png."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(page, step: str) -> Path:
        counter["n"] += 1
        slug = re.sub(r"[^\w-]+", "-", step)
        path = folder / f"{counter['n']:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Runs axe-core on the page; fails on serious or critical violations."""

    def check(page):
        results = axe.run(page)
        blocking = [
            violation for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3] if node.get("target"))
            for v in blocking
        ]
        assert not blocking, f"{page.url}:\n" + "\n".join(details)
        return results

    return check
