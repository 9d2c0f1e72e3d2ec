"""A provider's engineer on a network with no internet: GET /api/docs in Chromium shows every operation of every
served OpenAPI document, and "Try it out" sends their token."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from playwright.async_api import expect

from gateway.rest.documents import OPENAPI_DOCUMENTS
from tests.browser.conftest import BrowserPage, Gateway

TIMEOUT = 30_000  # ms
METHODS = {"get", "put", "post", "delete", "patch"}


def _operations(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item if method in METHODS}


async def test_every_operation_of_every_served_document_is_shown(gateway: Gateway, browser_page: BrowserPage):
    page, traffic = browser_page.page, browser_page.traffic
    for index, (name, url) in enumerate(OPENAPI_DOCUMENTS):
        document = httpx.get(f"{gateway.url}{url}").json()  # noqa: ASYNC210  the server is another process; nothing awaits meanwhile
        await page.goto(f"{gateway.url}/api/docs?urls.primaryName={quote(name)}", wait_until="networkidle")
        summaries = page.locator(".opblock-summary")
        await expect(summaries.first).to_be_visible(timeout=TIMEOUT)
        await expect(page.locator(".info .title")).to_contain_text(document["info"]["title"])

        shown = {
            (method.strip(), path)
            for method, path in await summaries.evaluate_all(
                "summaries => summaries.map(s => [s.querySelector('.opblock-summary-method').textContent,"
                " s.querySelector('.opblock-summary-path').dataset.path])"
            )
        }
        assert shown == _operations(document), name
        await browser_page.screenshot(f"{index + 1}-document")

    assert traffic.problems() == {}
    assert traffic.requested and all(url.startswith(gateway.url) for url in traffic.requested)


async def test_try_it_out_sends_the_token_given_to_authorize(gateway: Gateway, browser_page: BrowserPage):
    page, traffic = browser_page.page, browser_page.traffic
    await page.goto(f"{gateway.url}/api/docs", wait_until="networkidle")

    await page.get_by_role("button", name="Authorize").first.click(timeout=TIMEOUT)
    dialog = page.locator(".dialog-ux")
    # v3's document names two schemes (the ECF1 half's and the newer half's): the token goes in each.
    forms = dialog.locator("form")
    for index in range(await forms.count()):
        form = forms.nth(index)
        await form.locator("input").first.fill(gateway.tokens["lead provider Ambition Institute"])
        await form.locator("button.authorize").click()
    await expect(dialog).to_contain_text("Authorized")
    await dialog.locator(".auth-btn-wrapper button.btn-done").first.click()

    token = gateway.tokens["lead provider Ambition Institute"]
    # The server is another process, so blocking this loop briefly starves nothing.
    partner = httpx.get(f"{gateway.url}/api/v3/delivery-partners", headers={"Authorization": f"Bearer {token}"})  # noqa: ASYNC210
    partner_id = partner.json()["data"][0]["id"]

    operation = page.locator(".opblock-get").filter(has=page.locator('[data-path="/api/v3/delivery-partners/{id}"]'))
    await operation.locator(".opblock-summary").click()
    await operation.get_by_role("button", name="Try it out").click()
    await operation.locator('tr[data-param-name="id"] input').fill(partner_id)
    await operation.get_by_role("button", name="Execute").click()
    # Without the token the gateway answers 401: a 200 with the partner shows "Authorize" reached the request.
    responses = operation.locator(".live-responses-table")
    await expect(responses.locator("tbody .response-col_status").first).to_have_text("200", timeout=TIMEOUT)
    await expect(responses).to_contain_text(partner_id, timeout=TIMEOUT)
    await browser_page.screenshot("try-it-out")

    local = await page.evaluate("JSON.stringify(Object.entries(localStorage))")
    assert token not in local
    assert traffic.problems() == {}
