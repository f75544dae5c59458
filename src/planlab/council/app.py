"""The web application: the JSON API under /api, the pages at /, one database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from types import MappingProxyType

from fastapi import FastAPI, Request, status
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from planlab.council.checks import BusyError
from planlab.council.db import Database, upgrade
from planlab.council.headers import SecurityHeaders, add_docs
from planlab.council.pages import LoginRequiredError, templates
from planlab.council.pages import router as pages_router
from planlab.council.routers import ROUTERS
from planlab.council.service import ConflictError, DeniedError, NotFoundError
from planlab.council.settings import Settings
from planlab.errors import InputError, PlanlabError

__all__ = ["create_app", "worker_app"]

STATUS = MappingProxyType(
    {
        DeniedError: status.HTTP_403_FORBIDDEN,
        NotFoundError: status.HTTP_404_NOT_FOUND,
        ConflictError: status.HTTP_409_CONFLICT,
        InputError: status.HTTP_422_UNPROCESSABLE_CONTENT,
        BusyError: status.HTTP_429_TOO_MANY_REQUESTS,
    }
)


def _status(exc: PlanlabError) -> int:
    for kind, code in STATUS.items():
        if isinstance(exc, kind):
            return code
    return status.HTTP_400_BAD_REQUEST


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api")


def _error(
    request: Request, code: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    if _wants_page(request):
        return templates.TemplateResponse(
            request,
            "error.html",
            {"who": None, "code": code, "message": message},
            status_code=code,
            headers=headers,
        )
    return JSONResponse({"detail": message}, status_code=code, headers=headers)


def _safe(part: object) -> str | int:
    """One element of an error's location, as text that encodes (never the raw input)."""
    if isinstance(part, int):
        return part
    return str(part).encode("utf-8", "replace").decode("utf-8")[:60]


def _problems(exc: RequestValidationError) -> list[dict[str, object]]:
    """Where and what is wrong, without echoing the input (which may not even encode)."""
    return [
        {
            "loc": [_safe(p) for p in error.get("loc", ())],
            "msg": _safe(error.get("msg", "invalid")),
            "type": _safe(error.get("type", "value_error")),
        }
        for error in exc.errors()
    ]


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    """The service on the configured database; the schema is brought up to date first."""
    config = settings or Settings()
    if migrate:
        upgrade(config.db_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.db.dispose()

    app = FastAPI(
        title="planlab council",
        description="Open plan discussion: proposals checked against the balances, "
        "debate, voting and adoption with an audit trail.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = config
    app.state.db = Database.connect(config.db_url)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(pages_router)
    app.add_middleware(SecurityHeaders, docs_policy=add_docs(app))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = _problems(exc)
        if _wants_page(request):
            first = problems[0] if problems else {"loc": [], "msg": "invalid"}
            where = ".".join(str(p) for p in first["loc"])  # type: ignore[attr-defined]
            message = f"{where}: {first['msg']}"
            return _error(request, status.HTTP_422_UNPROCESSABLE_CONTENT, message)
        return JSONResponse({"detail": problems}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(PlanlabError)
    async def planlab_error(request: Request, exc: PlanlabError) -> Response:
        return _error(request, _status(exc), str(exc).splitlines()[0])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == status.HTTP_401_UNAUTHORIZED and _wants_page(request):
            return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
        return _error(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, exc: LoginRequiredError) -> Response:
        return RedirectResponse(f"/login?next={exc.target}", status_code=status.HTTP_303_SEE_OTHER)

    return app


def worker_app() -> FastAPI:
    """The app of one worker process of ``planlab serve --workers N``: settings from the
    environment, the schema already brought up to date by the parent process."""
    return create_app(Settings(), migrate=False)
