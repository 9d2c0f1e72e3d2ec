"""A real gateway (``gateway serve`` on a new sandbox database) and the system's Chromium, driven by Playwright.

The browser may reach the gateway's origin only: every other request is aborted and recorded, as on a
network that blocks public CDNs, and the tests assert that none was attempted. Failed requests, error
responses, console errors (Content-Security-Policy violations among them) and uncaught page errors are
recorded too. Screenshots go to ``test-artifacts/browser/`` (``BROWSER_ARTIFACTS`` to put them elsewhere).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Request, Route, async_playwright

from tests.fixtures.served_gateway import Gateway, served_sandbox

CHROMIUM = os.environ.get("BROWSER_EXECUTABLE", "/usr/bin/chromium")
ARTIFACTS = Path(
    os.environ.get("BROWSER_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts" / "browser")
)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
async def gateway(databases, tmp_path_factory) -> AsyncIterator[Gateway]:
    db = await databases.create()  # new: the server migrates, seeds and prints its tokens as for a newcomer
    await db.engine.dispose()
    async with served_sandbox(db.url, tmp_path_factory.mktemp("served")) as served:
        yield served


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # The system's Chromium (scripts/test installs Debian's package): Playwright's own download is not used.
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Traffic:
    """What the page asked for that it should not have, or did not get."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {
            name: entries
            for name, entries in (
                ("blocked (not local)", self.blocked),
                ("failed", self.failed),
                ("error responses", self.error_responses),
                ("console errors", self.console_errors),
                ("page errors", self.page_errors),
            )
            if entries
        }


@dataclass
class BrowserPage:
    page: Page
    traffic: Traffic
    name: str

    async def screenshot(self, step: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240  a local directory, made once per screenshot
        path = ARTIFACTS / f"{self.name}-{step}.png"
        await self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
async def browser_page(browser: Browser, request) -> AsyncIterator[BrowserPage]:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    traffic = Traffic()

    async def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            await route.continue_()
        else:
            traffic.blocked.append(route.request.url)
            await route.abort("blockedbyclient")

    def failed(req: Request) -> None:
        if req.url not in traffic.blocked:
            traffic.failed.append(f"{req.method} {req.url}: {req.failure}")

    await context.route("**/*", only_local)
    page = await context.new_page()
    page.on("request", lambda req: traffic.requested.append(req.url))
    page.on("requestfailed", failed)
    page.on("response", lambda res: res.status >= 400 and traffic.error_responses.append(f"{res.status} {res.url}"))
    page.on("console", lambda msg: msg.type == "error" and traffic.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: traffic.page_errors.append(str(exc)))
    try:
        yield BrowserPage(page=page, traffic=traffic, name=request.node.name)
    finally:
        await context.close()
