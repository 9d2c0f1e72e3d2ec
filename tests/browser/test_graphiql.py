"""An analyst on a network with no internet: GET /graphql in Chromium, give a token, run an example, browse the schema."""

from __future__ import annotations

from playwright.async_api import Response, expect

from tests.browser.conftest import BrowserPage, Gateway

TIMEOUT = 30_000  # ms; the machine is shared, and Monaco's workers start cold


def _introspection(response: Response) -> bool:
    return response.request.method == "POST" and "__schema" in (response.request.post_data or "")


async def test_an_analyst_gives_a_token_runs_an_example_and_browses_the_schema(
    gateway: Gateway, browser_page: BrowserPage
):
    page, traffic = browser_page.page, browser_page.traffic
    await page.goto(f"{gateway.url}/graphql", wait_until="networkidle")

    # Before the token: an invitation to give one, not GraphiQL answering "Access denied".
    await expect(page.get_by_label("Analyst token")).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_role("link", name="REST API docs")).to_have_attribute("href", "/api/docs")
    assert "Access denied" not in await page.content()
    await browser_page.screenshot("1-before-token")

    await page.get_by_label("Analyst token").fill(gateway.tokens["analyst"])
    await page.get_by_role("button", name="Use token").click()

    editor = page.locator(".graphiql-query-editor")
    await expect(editor).to_contain_text("query LeadProviders", timeout=TIMEOUT)
    session = await page.evaluate("JSON.stringify(Object.entries(sessionStorage))")
    local = await page.evaluate("JSON.stringify(Object.entries(localStorage))")
    assert gateway.tokens["analyst"] in session
    assert gateway.tokens["analyst"] not in local

    await page.locator(".graphiql-execute-button").click()
    response = page.locator(".graphiql-response")
    await expect(response).to_contain_text('"leadProviders"', timeout=TIMEOUT)
    await expect(response).to_contain_text("Ambition Institute", timeout=TIMEOUT)
    await browser_page.screenshot("2-example-answered")

    # The schema was loaded with the token: the docs pane finds a type.
    await page.get_by_role("button", name="Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    await expect(docs).to_contain_text("Root Types", timeout=TIMEOUT)
    await docs.get_by_role("combobox").fill("Statement")
    await page.get_by_role("option", name="Statement", exact=True).first.click()
    await expect(docs.locator(".graphiql-doc-explorer-title")).to_have_text("Statement", timeout=TIMEOUT)
    await expect(docs).to_contain_text("cutOffDate")
    await browser_page.screenshot("3-docs-statement")

    # Every example is one click away, and opens in a tab of its own.
    await page.get_by_role("button", name="Show Examples").click()
    await page.get_by_role("button", name="A participant's history").click()
    await expect(editor).to_contain_text("query ParticipantHistory", timeout=TIMEOUT)
    await expect(page.locator(".graphiql-tab-active")).to_contain_text("ParticipantHistory", timeout=TIMEOUT)
    await page.get_by_role("button", name="Variables").click()
    await expect(page.locator(".graphiql-editor-tool .graphiql-editor").first).to_contain_text('"participantId"')
    await browser_page.screenshot("4-examples")

    # The explorer plugin builds documents from the schema's root fields.
    await page.get_by_role("button", name="Show GraphiQL Explorer").click()
    await expect(page.locator(".graphiql-explorer-root")).to_contain_text("leadProviders", timeout=TIMEOUT)
    await browser_page.screenshot("5-explorer")

    assert traffic.problems() == {}
    assert traffic.requested and all(url.startswith(gateway.url) for url in traffic.requested)


async def test_a_token_the_gateway_refuses_is_said_so_and_a_forgotten_token_is_gone(
    gateway: Gateway, browser_page: BrowserPage
):
    page, traffic = browser_page.page, browser_page.traffic
    await page.goto(f"{gateway.url}/graphql", wait_until="networkidle")
    await page.get_by_label("Analyst token").fill("not-a-token")
    await page.get_by_role("button", name="Use token").click()
    await expect(page.get_by_role("alert")).to_have_text("The gateway did not accept this token.", timeout=TIMEOUT)
    assert await page.locator(".graphiql-container").count() == 0
    assert await page.evaluate("sessionStorage.length") == 0
    # The refused token's 401 is the only error the page met.
    assert traffic.error_responses == [f"401 {gateway.url}/graphql"]
    assert len(traffic.console_errors) == 1 and "401" in traffic.console_errors[0]
    traffic.error_responses.clear()
    traffic.console_errors.clear()

    await page.get_by_label("Analyst token").fill(gateway.tokens["analyst"])
    async with page.expect_response(_introspection, timeout=TIMEOUT) as schema:
        await page.get_by_role("button", name="Use token").click()
    assert (await schema.value).status == 200
    await expect(page.locator(".graphiql-query-editor")).to_contain_text("query", timeout=TIMEOUT)
    await page.wait_for_load_state("networkidle")
    assert traffic.problems() == {}

    await page.reload(wait_until="networkidle")  # the same browser session: the token is still there
    await expect(page.locator(".graphiql-query-editor")).to_contain_text("query", timeout=TIMEOUT)

    await page.get_by_role("button", name="Forget token").click()
    await expect(page.get_by_label("Analyst token")).to_be_visible()
    assert gateway.tokens["analyst"] not in await page.evaluate("JSON.stringify(Object.entries(sessionStorage))")
    # Reloading and forgetting tear GraphiQL down: a worker still loading is aborted, nothing else goes wrong.
    traffic.failed = [failure for failure in traffic.failed if not failure.endswith("net::ERR_ABORTED")]
    assert traffic.problems() == {}
