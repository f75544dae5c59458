"""Security headers on every answer, and the API docs served from the package (no CDN).

Pages load nothing but their own inline styles and SVG; no page runs a script,
so the policy allows none. The API docs page (Swagger UI) runs the bundle that
the ``swagger-ui-bundle`` package ships, served under ``/docs/static``, and one
inline script whose SHA-256 the docs page's policy names.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DOCS", "PAGE_POLICY", "SecurityHeaders", "add_docs"]

DOCS = "/docs"
ASSETS = f"{DOCS}/static"
PAGE_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""No script, no frame, no foreign origin: what every page and API answer is held to."""
_DOCS_POLICY = (
    "default-src 'none'; script-src 'self' {digests}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_FIXED = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """ASGI middleware: CSP, X-Frame-Options, nosniff and Referrer-Policy on every answer."""

    def __init__(self, app: ASGIApp, docs_policy: str) -> None:
        self.app = app
        self.page = PAGE_POLICY.encode()
        self.docs = docs_policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.docs if scope["path"] == DOCS else self.page

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(_FIXED)
                headers.append((b"content-security-policy", policy))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def add_docs(app: FastAPI) -> str:
    """Serve Swagger UI at /docs from the installed bundle; the CSP that lets it run."""
    page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=f"{app.title} - API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
    ).body
    html = bytes(page).decode("utf-8")
    inline = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    digests = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in inline
    )
    app.mount(ASSETS, StaticFiles(directory=Path(swagger_ui_bundle.swagger_ui_path)), "docs")

    @app.get(DOCS, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(html)

    return _DOCS_POLICY.format(digests=digests)
