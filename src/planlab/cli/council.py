"""``planlab serve`` and ``planlab council ...``: the council service and its checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from planlab.cli.common import console, fail, handles_input_errors
from planlab.cli.plan import write_plan
from planlab.council import audit, integrity, service
from planlab.council.db import Database, upgrade
from planlab.council.models import AuditEvent
from planlab.council.schemas import MAX_ID
from planlab.council.settings import Settings
from planlab.errors import PlanlabError

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
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Server processes (default: PLANLAB_WORKERS, else one per core)."),
    ] = None,
) -> None:
    """Run the council web service (the schema is created or upgraded first)."""
    import os

    import uvicorn

    from planlab.council.app import create_app

    config = _settings(db)
    processes = workers or config.workers
    try:
        app = create_app(config) if processes == 1 else None
        if app is None:
            upgrade(config.db_url)
    except SQLAlchemyError as exc:
        raise fail([f"{config.db_url}: {str(exc).splitlines()[0]}"]) from None
    console.print(
        f"planlab council on http://{host}:{port}/ (database {config.db_url}, "
        f"{processes} process{'es' if processes > 1 else ''})"
    )
    # The app reads X-Forwarded-For itself, and only from the trusted proxies it is given.
    options: dict[str, Any] = {"log_level": "warning", "proxy_headers": False}
    if app is not None:
        uvicorn.run(app, host=host, port=port, **options)
        return
    # Each worker builds its app from the environment (the parent's settings, --db first).
    os.environ["PLANLAB_DB_URL"] = config.db_url
    uvicorn.run(
        "planlab.council.app:worker_app",
        factory=True,
        workers=processes,
        host=host,
        port=port,
        **options,
    )


@contextmanager
def _council_db(config: Settings) -> Iterator[Session]:
    """A read session on the council's database; one line and exit 2 if there is none."""
    database = Database.connect(config.db_url)
    try:
        with database.read() as session:
            if not inspect(session.get_bind()).has_table("audit_events"):
                raise fail([f"{config.db_url}: no council database here (no audit_events table)"])
            yield session
    except SQLAlchemyError as exc:
        raise fail([f"{config.db_url}: {str(exc).splitlines()[0]}"]) from None
    finally:
        database.dispose()


def _anchor_file(path: Path) -> dict[str, Any]:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail([f"{path}: not a readable anchor file ({type(exc).__name__})"]) from None
    if not isinstance(kept, dict):
        raise fail([f"{path}: field 'events': an anchor written by 'planlab council anchor'"])
    return kept


@council_app.command("verify-audit")
def verify_audit(
    db: DbOption = None,
    anchor: Annotated[
        Path | None,
        typer.Option(help="An anchor file from 'planlab council anchor': the chain must reach it."),
    ] = None,
) -> None:
    """Check every link of the audit chain, every counted row against its event, every
    tally against a recount, and (given an anchor) that the chain reaches the anchored
    head; exit 1 naming what does not hold."""
    config = _settings(db)
    kept = _anchor_file(anchor) if anchor is not None else None
    with _council_db(config) as session:
        broken = audit.verify(session)
        found = [f"audit chain broken: {broken}"] if broken is not None else []
        if broken is None:
            found += integrity.problems(session)
        if kept is not None:
            cut = integrity.check_anchor(session, kept)
            found += [f"anchor: {cut}"] if cut else []
        events = service.count(session, AuditEvent)
    if found:
        for line in found:
            typer.echo(line, err=True)
        raise typer.Exit(code=EXIT_BROKEN)
    console.print(
        f"audit chain holds: {events} events; every counted row and tally agrees", markup=False
    )


@council_app.command("anchor")
def anchor_head(
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the anchor here (default: print it).")
    ] = None,
) -> None:
    """Export the audit chain's head (number and hash of the last event) as JSON, to keep
    outside the database; 'verify-audit --anchor FILE' then detects a chain cut short."""
    config = _settings(db)
    with _council_db(config) as session:
        head = integrity.anchor(session)
    text = json.dumps(head, sort_keys=True)
    if out is None:
        typer.echo(text)
        return
    try:
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail([f"{out}: cannot write the anchor ({exc.strerror})"]) from None
    console.print(f"anchored event {head['events']} in {out}", markup=False)


@council_app.command("export-plan")
def export_plan(
    round_id: Annotated[
        int,
        typer.Option("--round", min=1, max=MAX_ID, help="The round whose adopted plan to write."),
    ],
    out: Annotated[Path, typer.Option(help="The plan folder to write (as 'planlab plan --out').")],
    db: DbOption = None,
) -> None:
    """Write the adopted plan variant of a round as a plan folder, in the format of
    'planlab plan --out', for 'planlab simulate --plan'."""
    config = _settings(db)
    with _council_db(config) as session:
        try:
            result = service.adopted_plan(session, round_id)
        except PlanlabError as exc:
            raise fail([f"--round: {exc}"]) from None
    write_plan(out, result)
    console.print(f"wrote {out}/ (round {round_id}, adopted variant)", markup=False)


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
