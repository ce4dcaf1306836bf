"""The built admin panel (dashboards/admin/dist) as static files at /admin/, under a strict CSP."""

from pathlib import Path

from fastapi import FastAPI, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

PANEL_DIRECTORY = Path(__file__).resolve().parent.parent / "dashboards" / "admin" / "dist"
PANEL_PATH = "/admin"

# Same origin only, no inline script or style, no plugins, no framing: the panel handles
# admin keys, so an injected script must have nowhere to run and nowhere to send them.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
NOT_BUILT = (
    "The admin panel is not built: run `make setup` "
    "(or `cd dashboards/admin && npm ci && npm run build`) and restart the API."
)


class PanelFiles(StaticFiles):
    """Static files with the security headers; index.html is never cached (assets are hashed)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        if not path.startswith("assets/"):
            response.headers["Cache-Control"] = "no-cache"
        return response


async def panel_not_built(scope: Scope, receive: Receive, send: Send) -> None:
    response = PlainTextResponse(NOT_BUILT, status_code=503, headers=SECURITY_HEADERS)
    await response(scope, receive, send)


async def redirect_to_panel(request: Request) -> RedirectResponse:
    # A relative Location: an absolute one would be built from the request's Host header.
    return RedirectResponse(f"{request.scope.get('root_path', '')}{PANEL_PATH}/")


def mount_admin_panel(app: FastAPI, directory: Path = PANEL_DIRECTORY) -> None:
    """Serve the panel at /admin/ (/admin redirects there), or a 503 that says how to build it."""
    app.add_route(PANEL_PATH, redirect_to_panel, include_in_schema=False)
    if (directory / "index.html").is_file():
        app.mount(PANEL_PATH, PanelFiles(directory=directory, html=True), name="admin-panel")
    else:
        app.mount(PANEL_PATH, panel_not_built, name="admin-panel")
