"""Security headers on every response: the browser pages may load and run only what the gateway serves.

Every response says ``X-Content-Type-Options: nosniff`` (a JSON body is never run as a script or
rendered as HTML) and sends no referrer. An HTML page also carries a Content-Security-Policy that
allows the gateway's own origin only: no inline or evaluated script (the pages' configuration travels
in JSON data blocks, which are not run), no framing by another site, no form or base URL elsewhere.

Styles are the one allowance: Monaco (GraphiQL's editor) and Swagger UI write ``<style>`` elements and
``style`` attributes at run time, with no way to give them a nonce, so ``style-src`` allows inline
styles. An inline style cannot run code; it still cannot load anything from another origin. Images and
fonts may also be ``data:`` URLs: GraphiQL's and Swagger UI's style sheets carry their fonts and icons
inside them, bytes of the gateway's own files rather than requests to anyone.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

EVERY_RESPONSE = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
HTML_RESPONSE = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    # For browsers that predate frame-ancestors.
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                extra = EVERY_RESPONSE + (HTML_RESPONSE if _is_html(headers) else ())
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
