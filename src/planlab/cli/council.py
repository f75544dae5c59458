"""``planlab serve`` and ``planlab council ...``: the council service and its checks."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from planlab.cli.common import console, fail, handles_input_errors
from planlab.council import audit, service
from planlab.council.db import Database, upgrade
from planlab.council.models import AuditEvent
from planlab.council.settings import Settings

__all__ = ["council_app", "serve"]

EXIT_BROKEN = 1

council_app = typer.Typer(
    help="The council's database: accounts and the audit chain.",
    no_args_is_help=True,
    add_completion=False,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: PLANLAB_DB_URL or sqlite:///planlab-council.db)."
    ),
]


def _settings(db: str | None) -> Settings:
    """Settings from the environment, the URL given on the command line first."""
    try:
        return Settings(db_url=db) if db else Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "settings"
        raise fail([f"settings: field '{field}': {error['msg']}"]) from None


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the council web service (the schema is created or upgraded first)."""
    import uvicorn

    from planlab.council.app import create_app

    config = _settings(db)
    try:
        app = create_app(config)
    except SQLAlchemyError as exc:
        raise fail([f"{config.db_url}: {str(exc).splitlines()[0]}"]) from None
    console.print(f"planlab council on http://{host}:{port}/ (database {config.db_url})")
    # The app reads X-Forwarded-For itself, and only from the trusted proxies it is given.
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


@council_app.command("verify-audit")
def verify_audit(db: DbOption = None) -> None:
    """Check every link of the audit chain; exit 1 naming the first broken row."""
    config = _settings(db)
    database = Database.connect(config.db_url)
    try:
        with database.read() as session:
            if not inspect(session.get_bind()).has_table("audit_events"):
                raise fail([f"{config.db_url}: no council database here (no audit_events table)"])
            broken = audit.verify(session)
            events = service.count(session, AuditEvent)
    except SQLAlchemyError as exc:
        raise fail([f"{config.db_url}: {str(exc).splitlines()[0]}"]) from None
    finally:
        database.dispose()
    if broken is not None:
        typer.echo(f"audit chain broken: {broken}", err=True)
        raise typer.Exit(code=EXIT_BROKEN)
    console.print(f"audit chain holds: {events} events", markup=False)


@council_app.command("create-user")
@handles_input_errors
def create_user(
    name: Annotated[str, typer.Argument(help="Account name.")],
    role: Annotated[str, typer.Option(help="commission, delegate, workers, consumers, observer.")],
    branch: Annotated[str | None, typer.Option(help="The branch a delegate speaks for.")] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
    db: DbOption = None,
) -> None:
    """Create an account with a role, e.g. the first planning commission account."""
    config = _settings(db)
    upgrade(config.db_url)
    database = Database.connect(config.db_url)
    try:
        user = service.create_user(database, name, password, role, branch)
    except service.ConflictError as exc:
        raise fail([f"name: {exc}"]) from None
    finally:
        database.dispose()
    console.print(f"created {user.name} ({user.role})", markup=False)
