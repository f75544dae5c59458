"""The web UI: server-rendered pages and form posts, each checked like the JSON API.

Every form carries the session's CSRF token (field ``csrf_token``); the login
and registration forms, sent before there is a session, carry a token that
must match a cookie set with the form (double submit).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from planlab.council import audit, charts, checks, service, words
from planlab.council.db import Database
from planlab.council.deps import (
    RowId,
    Viewer,
    admit_registration,
    client_address,
    database,
    database_of,
    glance_kept,
    kept,
    log_in,
    set_session_cookie,
    settings,
    settings_of,
    viewer,
)
from planlab.council.models import (
    AuditEvent,
    Ballot,
    Comment,
    PlanVersion,
    Proposal,
    Round,
    User,
    Vote,
)
from planlab.council.permissions import ROLES, TABLE, allowed
from planlab.council.readcache import HEAD, STALE
from planlab.council.schemas import (
    BallotCreate,
    BallotPublic,
    CommentCreate,
    Credentials,
    ProposalCreate,
    RoleGrant,
    RoundCreate,
    VariantCreate,
    VoteCreate,
    VoteRanks,
)
from planlab.council.security import COOKIE, csrf_matches, end_session, login_query
from planlab.council.settings import Settings
from planlab.errors import InputError

__all__ = ["router", "templates"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
templates.env.auto_reload = False  # compiled once: the package's templates do not change
FORM_COOKIE = "planlab_form"
Db = Annotated[Database, Depends(database)]
M = TypeVar("M", bound=BaseModel)
PROPOSE = ("proposal.target", "proposal.priority", "proposal.floor", "proposal.objection")
PERCENT = 100.0
"""Forms take yearly rates in percent; the API and the service take fractions."""


class LoginRequiredError(Exception):
    """A page needs a login: the handler redirects to the login page."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def _who(request: Request) -> Viewer:
    found = viewer(request)
    if found is None:
        raise LoginRequiredError(str(request.url.path))
    return found


Who = Annotated[Viewer, Depends(_who)]


async def _fields(request: Request) -> dict[str, str]:
    """Every field of the posted form (for lists of ticked boxes)."""
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


Fields = Annotated[dict[str, str], Depends(_fields)]


def _can(who: Viewer | None) -> Callable[..., bool]:
    def can(action: str, branch: str | None = None) -> bool:
        if who is None:
            return False
        if branch is None and action in ("proposal.target", "proposal.priority"):
            branch = who.user.branch
        return allowed(who.user.role, action, branch, who.user.branch)

    return can


def _page(request: Request, name: str, who: Viewer | None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {"who": who, "can": _can(who), "csrf": who.session.csrf if who else "", **context},
    )


def _form_csrf(who: Viewer, token: str) -> None:
    if not csrf_matches(who.session.csrf, token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form's CSRF token is missing or wrong")


def _checked(who: Viewer, form: dict[str, str], *actions: str) -> None:
    """The permission check, then the CSRF token: both before any field is parsed."""
    if not any(who.user.role in TABLE[action] for action in actions):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"role {who.user.role!r} may not {' or '.join(actions)}"
        )
    _form_csrf(who, form.get("csrf_token", ""))


def _parse(model: type[M], data: dict[str, Any]) -> M:
    """A form's fields through the API's own model; the first problem as a one-line 422."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "form"
        raise InputError.single("<form>", where, str(error["msg"]), "refused") from None


def _given(form: dict[str, str], *names: str) -> dict[str, str]:
    """The named fields that were filled in (an empty field means "not given")."""
    return {name: form[name] for name in names if form.get(name, "").strip()}


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def _anonymous_form(request: Request, name: str, **context: Any) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = _page(request, name, None, form_token=token, **context)
    response.set_cookie(
        FORM_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).secure_cookies,
        path="/",
    )
    return response


def _anonymous_check(request: Request, token: str) -> None:
    if not csrf_matches(request.cookies.get(FORM_COOKIE, ""), token) or not token:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form's CSRF token is missing or wrong")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Db) -> HTMLResponse:
    """The rounds, and for the commission a form to open one."""
    who = viewer(request)
    rounds = []
    if who is not None:
        with db.read() as session:
            rounds = list(session.scalars(select(Round).order_by(Round.id.desc())))
    return _page(request, "home.html", who, rounds=rounds, sources=checks.sources())


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The login form."""
    return _anonymous_form(request, "login.html", next=next, error=None)


@router.post("/login")
def login(
    form: Fields, request: Request, db: Db, config: Annotated[Settings, Depends(settings)]
) -> Response:
    """Log in and go where the participant was going."""
    _anonymous_check(request, form.get("form_token", ""))
    next = form.get("next", "/")
    try:
        body = _parse(Credentials, _given(form, "name", "password"))
        started = log_in(db, config, body.name, body.password, client_address(request))
    except HTTPException as exc:
        response = _anonymous_form(request, "login.html", next=next, error=exc.detail)
        response.status_code = exc.status_code
        return response
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    redirect = _back(target)
    set_session_cookie(redirect, started.token, config)
    return redirect


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request) -> HTMLResponse:
    """The registration form."""
    return _anonymous_form(request, "register.html", error=None)


@router.post("/register")
def register(
    form: Fields, request: Request, db: Db, config: Annotated[Settings, Depends(settings)]
) -> Response:
    """Create an observer account, then ask to log in."""
    _anonymous_check(request, form.get("form_token", ""))
    try:
        body = _parse(Credentials, _given(form, "name", "password"))
        admit_registration(db, config, client_address(request))
        service.register(db, body.name, body.password)
    except HTTPException as exc:
        response = _anonymous_form(request, "register.html", error=exc.detail)
        response.status_code = exc.status_code
        return response
    except (service.ConflictError, InputError) as exc:
        response = _anonymous_form(request, "register.html", error=str(exc))
        response.status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
        return response
    return _back(f"/login?registered={quote(body.name)}")


@router.post("/logout")
def logout(request: Request, who: Who, db: Db, csrf_token: Annotated[str, Form()] = "") -> Response:
    """End the session."""
    _form_csrf(who, csrf_token)
    with db.write() as session:
        end_session(session, request.cookies.get(COOKIE))
    response = _back("/")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/rounds")
def create_round(form: Fields, who: Who, db: Db) -> Response:
    """Open a round."""
    _checked(who, form, "round.create")
    body = _parse(
        RoundCreate,
        {
            "title": "",
            **_given(
                form, "title", "source", "years", "growth", "consumption_growth", "max_iterations"
            ),
        },
    )
    spec = checks.RoundSpec(
        body.source, body.years, body.growth / PERCENT, body.consumption_growth / PERCENT
    )
    row = service.create_round(db, who.user, body.title, spec, body.max_iterations)
    return _back(f"/rounds/{row.id}")


def _names(session: Any) -> dict[int, str]:
    return {u.id: u.name for u in session.scalars(select(User))}


TRADEOFF_WAIT = 5.0
"""Seconds a page waits for the trade-off tracer before it is shown without the chart."""


def _tradeoff_chart(spec: checks.RoundSpec, a: str, b: str, marks: list[Any]) -> str:
    try:
        points = checks.frontier(spec, a, b, wait=TRADEOFF_WAIT)
    except checks.BusyError:
        return ""
    return charts.frontier(points, a, b, marks) if points else ""


def _paths_chart(row: Round, variants: list[PlanVersion], unit: str) -> str:
    """Total gross output by plan year of the base plan and each feasible variant."""
    plans = [("base plan", row.base)] + [(f"#{v.id} {v.name}", v.summary) for v in variants]
    series = [
        (label, [sum(year) for year in zip(*summary["paths"].values(), strict=True)])
        for label, summary in plans
        if summary.get("feasible") and summary.get("paths")
    ]
    years = row.base.get("years_of_plan", [])
    title = "total gross output by plan year"
    return charts.lines(series, years, title, unit) if series and years else ""


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(
    request: Request, round_id: RowId, who: Who, db: Db, a: str = "", b: str = ""
) -> HTMLResponse:
    """A round: its base plan, proposals and their checks, trade-off, variants, ballots."""
    with db.read() as session:
        row = service.get(session, Round, round_id, "round")
        proposals = list(
            session.scalars(
                select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id)
            )
        )
        variants = list(
            session.scalars(
                select(PlanVersion).where(PlanVersion.round_id == round_id).order_by(PlanVersion.id)
            )
        )
        ballots = list(
            session.scalars(select(Ballot).where(Ballot.round_id == round_id).order_by(Ballot.id))
        )
        names = _names(session)
    spec = service.spec_of(row)
    branches = checks.branches(spec)
    competing = list(
        dict.fromkeys(
            p.branch for p in reversed(proposals) if p.kind in ("target", "priority") and p.branch
        )
    )
    if not (a in branches and b in branches and a != b) and len(competing) >= 2:
        a, b = competing[1], competing[0]
    chart = ""
    if a in branches and b in branches and a != b and row.base.get("feasible"):
        base = row.base["achieved"]
        chart = _tradeoff_chart(spec, a, b, [("base plan", base[a], base[b])])
    return _page(
        request,
        "round.html",
        who,
        units=checks.units(spec),
        binding=[
            words.binding_sentence(item, checks.units(spec))
            for item in row.base.get("binding", [])
            if "name" in item
        ],
        paths=_paths_chart(row, variants, checks.units(spec)["output"]),
        round=row,
        proposals=proposals,
        variants=variants,
        ballots=ballots,
        names=names,
        branches=branches,
        a=a,
        b=b,
        chart=chart,
    )


@router.post("/rounds/{round_id}/close")
def close_round(
    round_id: RowId, who: Who, db: Db, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Take no more proposals."""
    _form_csrf(who, csrf_token)
    service.close_round(db, who.user, round_id)
    return _back(f"/rounds/{round_id}")


@router.post("/rounds/{round_id}/iterate")
def iterate(form: Fields, round_id: RowId, who: Who, db: Db) -> Response:
    """End the round's current iteration."""
    _checked(who, form, "round.iterate")
    service.iterate(db, who.user, round_id)
    return _back(f"/rounds/{round_id}")


@router.post("/rounds/{round_id}/proposals")
def propose(form: Fields, round_id: RowId, who: Who, db: Db) -> Response:
    """Make a proposal and show its consequences (rates are given in percent)."""
    _checked(who, form, *PROPOSE)
    body = _parse(
        ProposalCreate,
        {
            "kind": form.get("kind", ""),
            **_given(form, "branch", "value", "mode", "objects_to", "reasons"),
        },
    )
    value = body.value
    mode = body.mode or "growth"
    if body.kind in ("target", "floor") and mode == "growth" and value is not None:
        value /= PERCENT
    row = service.propose(
        db,
        who.user,
        round_id,
        body.kind,
        branch=body.branch,
        value=value,
        mode=mode,
        objects_to=body.objects_to,
        reasons=body.reasons,
    )
    return _back(f"/proposals/{row.id}")


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(request: Request, proposal_id: RowId, who: Who, db: Db) -> HTMLResponse:
    """A proposal's consequences: feasibility, what gives way, prices, costs; the debate."""
    with db.read() as session:
        proposal = service.get(session, Proposal, proposal_id, "proposal")
        row = service.get(session, Round, proposal.round_id, "round")
        comments = list(
            session.scalars(
                select(Comment).where(Comment.proposal_id == proposal_id).order_by(Comment.id)
            )
        )
        objections = list(
            session.scalars(
                select(Proposal).where(Proposal.objects_to == proposal_id).order_by(Proposal.id)
            )
        )
        names = _names(session)
    result = proposal.check
    falls = [(r["branch"], 100.0 * r["change"]) for r in result.get("gives_way", [])]
    bar_chart = (
        charts.bars(falls[:12], "what gives way: change of last-year output") if falls else ""
    )
    chart = ""
    spec = service.spec_of(row)
    if proposal.branch and result.get("feasible") and falls and row.base.get("feasible"):
        other = falls[0][0]
        base = row.base["achieved"]
        mine = {r["branch"]: r for r in result.get("fulfilment", [])}
        marks = [("base plan", base[proposal.branch], base[other])]
        own, rival = mine.get(proposal.branch), mine.get(other)
        if own and rival:
            marks.append(
                (
                    f"proposal #{proposal.id}",
                    base[proposal.branch] * own["after"] / own["before"],
                    base[other] * rival["after"] / rival["before"],
                )
            )
        chart = _tradeoff_chart(spec, proposal.branch, other, marks)
    return _page(
        request,
        "proposal.html",
        who,
        proposal=proposal,
        units=checks.units(spec),
        round=row,
        result=result,
        comments=comments,
        objections=objections,
        names=names,
        bar_chart=bar_chart,
        chart=chart,
    )


@router.post("/proposals/{proposal_id}/comments")
def comment(form: Fields, proposal_id: RowId, who: Who, db: Db) -> Response:
    """Add a comment."""
    _checked(who, form, "comment.create")
    body = _parse(CommentCreate, {"text": form.get("text", "")})
    service.comment(db, who.user, proposal_id, body.text)
    return _back(f"/proposals/{proposal_id}")


@router.post("/rounds/{round_id}/variants")
def create_variant(form: Fields, round_id: RowId, who: Who, db: Db) -> Response:
    """Combine the ticked proposals into a plan variant."""
    _checked(who, form, "variant.create")
    body = _parse(
        VariantCreate, {"name": form.get("name", ""), "proposal_ids": _ticked(form, "proposal")}
    )
    service.create_variant(db, who.user, round_id, body.name, body.proposal_ids)
    return _back(f"/rounds/{round_id}")


def _ticked(form: dict[str, str], prefix: str) -> list[str]:
    return [key.removeprefix(prefix) for key in form if key.startswith(prefix) and form[key]]


@router.post("/rounds/{round_id}/ballots")
def create_ballot(form: Fields, round_id: RowId, who: Who, db: Db) -> Response:
    """Open a ballot over the ticked variants (ranked) or proposals (approval)."""
    _checked(who, form, "ballot.create")
    prefix = "variant" if form.get("kind") == "ranked" else "proposal"
    body = _parse(
        BallotCreate,
        {
            "kind": form.get("kind", ""),
            **_given(form, "title", "budget"),
            "candidates": _ticked(form, prefix),
        },
    )
    row = service.create_ballot(
        db, who.user, round_id, body.kind, body.title, body.candidates, body.budget, None
    )
    return _back(f"/ballots/{row.id}")


@dataclass(frozen=True)
class BallotView:
    """What a ballot's page shows the same to every reader: kept between writes (``readcache``)."""

    ballot: BallotPublic
    round: RoundTitle
    labels: dict[str, str]


@dataclass(frozen=True)
class RoundTitle:
    """A round as a page links to it."""

    id: int
    title: str


def _ballot_view(ballot_id: int, session: Session) -> BallotView:
    ballot = service.get(session, Ballot, ballot_id, "ballot")
    row = service.get(session, Round, ballot.round_id, "round")
    labels: dict[str, str] = {}
    for key in ballot.candidates:
        if ballot.kind == "ranked":
            labels[key] = service.get(session, PlanVersion, int(key), "variant").name
        else:
            labels[key] = service.describe(service.get(session, Proposal, int(key), "proposal"))
    return BallotView(BallotPublic.model_validate(ballot), RoundTitle(row.id, row.title), labels)


_VOTES = select(func.count(Vote.id)).where(Vote.ballot_id == bindparam("ballot"))
BALLOT_PAGE = login_query(
    HEAD,
    STALE,
    _VOTES.scalar_subquery(),
    _VOTES.where(Vote.participant_id == User.id).scalar_subquery(),
)
"""A ballot page's statement: the login, the chain's head and whether a kept answer went
stale (``KEPT``), the ballot's votes and the reader's own (parameter ``ballot``)."""


@router.get("/ballots/{ballot_id}", response_class=HTMLResponse)
async def ballot_page(request: Request, ballot_id: RowId) -> HTMLResponse:
    """A ballot: the form to vote, or the result and why the winner won. When the part
    that is the same for every reader is kept, the page is one statement: the login, the
    chain's head, the ballot's votes and the reader's own (``glance_kept``)."""
    found = await glance_kept(request, BALLOT_PAGE, {"ballot": ballot_id})
    if found.who is None:
        raise LoginRequiredError(str(request.url.path))
    view = await kept(
        request, found.token, ("ballot page", ballot_id), partial(_ballot_view, ballot_id)
    )
    count, own = found.more
    return _ballot_page(request, found.who, view, int(count), int(own) > 0)


def _ballot(
    request: Request, ballot_id: int, who: Viewer, session: Session, receipt: Any = None
) -> HTMLResponse:
    cache = database_of(request).cache
    view = cache.answer(
        session, ("ballot page", ballot_id), partial(_ballot_view, ballot_id, session)
    )
    votes, mine = session.execute(
        select(
            func.count(Vote.id), func.count(Vote.id).filter(Vote.participant_id == who.user.id)
        ).where(Vote.ballot_id == ballot_id)
    ).one()
    return _ballot_page(request, who, view, votes, mine > 0, receipt)


def _ballot_page(
    request: Request, who: Viewer, view: BallotView, votes: int, voted: bool, receipt: Any = None
) -> HTMLResponse:
    return _page(
        request,
        "ballot.html",
        who,
        ballot=view.ballot,
        round=view.round,
        voted=voted,
        votes=votes,
        labels=view.labels,
        receipt=receipt,
    )


templates.env.globals["describe"] = service.describe
templates.env.globals["say"] = words.binding_sentence


@router.post("/ballots/{ballot_id}/vote")
def vote(form: Fields, request: Request, ballot_id: RowId, who: Who, db: Db) -> Response:
    """Cast a vote from the form (a whole-number rank per variant, or ticks)."""
    _checked(who, form, "vote.cast")
    with db.read() as session:
        ballot = service.get(session, Ballot, ballot_id, "ballot")
    if ballot.kind == "ranked":
        ranks = _ticked({k: v.strip() for k, v in form.items()}, "rank")
        given = {key: form[f"rank{key}"].strip() for key in ranks}
        choice = _parse(VoteRanks, {"ranks": given}).choice()
    else:
        choice = _ticked(form, "approve")
    body = _parse(VoteCreate, {"choice": choice})
    cast, salt = service.cast_vote(db, who.user, ballot_id, body.choice)
    receipt = {"commitment": cast.commitment, "salt": salt, "choice": cast.choice}
    with db.read() as session:
        return _ballot(request, ballot_id, who, session, receipt)


@router.post("/ballots/{ballot_id}/close")
def close_ballot(
    ballot_id: RowId, who: Who, db: Db, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Count the votes."""
    _form_csrf(who, csrf_token)
    service.close_ballot(db, who.user, ballot_id)
    return _back(f"/ballots/{ballot_id}")


@router.get("/variants/{variant_id}", response_class=HTMLResponse)
def variant_page(request: Request, variant_id: RowId, who: Who, db: Db) -> HTMLResponse:
    """A plan variant against the round's base plan: output by branch, totals, prices."""
    with db.read() as session:
        variant = service.get(session, PlanVersion, variant_id, "variant")
        row = service.get(session, Round, variant.round_id, "round")
        proposals = [service.get(session, Proposal, k, "proposal") for k in variant.proposal_ids]
    base, summary = row.base, variant.summary
    chart = ""
    if base.get("feasible") and summary.get("feasible"):
        changes = [
            (name, 100.0 * (summary["achieved"][name] / value - 1.0))
            for name, value in base["achieved"].items()
            if value
        ]
        chart = charts.bars(changes, "last-year output against the base plan")
    return _page(
        request,
        "variant.html",
        who,
        variant=variant,
        units=checks.units(service.spec_of(row)),
        round=row,
        proposals=proposals,
        base=base,
        summary=summary,
        chart=chart,
    )


@router.post("/variants/{variant_id}/adopt")
def adopt(variant_id: RowId, who: Who, db: Db, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Adopt a plan variant."""
    _form_csrf(who, csrf_token)
    variant = service.adopt(db, who.user, variant_id)
    return _back(f"/rounds/{variant.round_id}")


@router.get("/participants", response_class=HTMLResponse)
def participants(request: Request, who: Who, db: Db) -> HTMLResponse:
    """The commission's list of participants, with the form to grant roles."""
    service.require(who.user, "user.list")
    with db.read() as session:
        users = list(session.scalars(select(User).order_by(User.id)))
        branches = sorted(
            {b for r in session.scalars(select(Round)) for b in checks.branches(service.spec_of(r))}
        )
    return _page(request, "participants.html", who, users=users, roles=ROLES, branches=branches)


@router.post("/participants/{user_id}/role")
def grant(form: Fields, user_id: RowId, who: Who, db: Db) -> Response:
    """Grant a role."""
    _checked(who, form, "user.grant")
    body = _parse(RoleGrant, {"role": form.get("role", ""), **_given(form, "branch")})
    service.grant(db, who.user, user_id, body.role, body.branch)
    return _back("/participants")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: Who, db: Db) -> HTMLResponse:
    """The newest audit events and whether the chain holds."""
    service.require(who.user, "audit.read")
    with db.read() as session:
        accounts = allowed(who.user.role, "user.list")
        events = [
            audit.shown(e, accounts)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200))
        ]
        broken = audit.verify(session)
    return _page(request, "audit.html", who, events=events, broken=broken)
