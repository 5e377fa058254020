"""Writing the pledge: drafts, publishing and closing.

A draft may be incomplete; publishing needs a complete one. A published pledge's texts stay
editable (every change is audited with what it was before) and commitments and initiatives
can be added to it, but not removed: the public and the submissions refer to them. A closed
pledge is history: only progress updates may still be added to it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_admin
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession, Localized
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.municipalities.models import Municipality
from dialogue.pledges.models import Commitment, Initiative, Pledge, PledgeStatus, ProgressUpdate
from dialogue.records import (
    changes,
    get_owned,
    language_for_reader,
    localized_line,
    localized_text,
    missing_locales,
)
from dialogue.sanitize import clean_line


@dataclasses.dataclass(frozen=True)
class Signatory:
    name: str
    role: Localized

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": dict(self.role)}


@dataclasses.dataclass(frozen=True)
class PledgeInput:
    """The pledge's own texts and dates as typed; the services clean them."""

    title: Localized
    focus: Localized
    goal: Localized
    valid_from: dt.date
    valid_to: dt.date
    signed_on: dt.date | None = None
    sources: tuple[Localized, ...] = ()
    signatories: tuple[Signatory, ...] = ()


# Reading


def list_pledges(session: DbSession, municipality_id: int, *, scope: Scope) -> list[Pledge]:
    """Every pledge of the municipality, newest period first, drafts included."""
    require_admin(scope, municipality_id)
    query = (
        select(Pledge)
        .where(Pledge.municipality_id == municipality_id)
        .options(selectinload(Pledge.commitments))
        .order_by(Pledge.valid_from.desc(), Pledge.id.desc())
    )
    return list(session.scalars(query))


def get_pledge(session: DbSession, municipality_id: int, pledge_id: int, *, scope: Scope) -> Pledge:
    """A pledge of this municipality with everything its page shows; NotFoundError otherwise."""
    require_admin(scope, municipality_id)
    pledge = session.scalar(
        select(Pledge)
        .where(Pledge.id == pledge_id, Pledge.municipality_id == municipality_id)
        .options(
            selectinload(Pledge.commitments).selectinload(Commitment.progress_updates),
            selectinload(Pledge.initiatives).selectinload(Initiative.places),
        )
    )
    if pledge is None:
        raise NotFoundError(pledge_id)
    return pledge


def required_locale(session: DbSession, municipality_id: int) -> str:
    """The language every text of the municipality's pledge must have; others are optional."""
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFoundError(municipality_id)
    return municipality.default_locale


def publish_problems(pledge: Pledge, required: str) -> dict[str, str]:
    """What stops a draft from being published, by the part of the page it concerns.

    Every text is needed in the ``required`` language; the others are optional.
    """
    problems: dict[str, str] = {}
    language = language_for_reader(required)
    for field, message in (
        ("title", _l("Give the title in %(language)s.", language=language)),
        ("focus", _l("Give the focus in %(language)s.", language=language)),
        ("goal", _l("Give the goal in %(language)s.", language=language)),
    ):
        if missing_locales(getattr(pledge, field), [required]):
            problems[field] = str(message)
    if not pledge.signatories:
        problems["signatories"] = str(_l("Name at least one signatory."))
    if not pledge.commitments:
        problems["commitments"] = str(_l("Add at least one commitment."))
    elif any(missing_locales(c.text, [required]) for c in pledge.commitments):
        problems["commitments"] = str(
            _l("Give every commitment in %(language)s.", language=language)
        )
    return problems


# The pledge itself


def create_pledge(
    session: DbSession, municipality_id: int, data: PledgeInput, *, actor: Account, scope: Scope
) -> Pledge:
    """A new draft pledge."""
    require_admin(scope, municipality_id)
    data = _cleaned(data)
    _check_pledge_input(data, required_locale(session, municipality_id), published=False)
    pledge = Pledge(municipality_id=municipality_id, status=PledgeStatus.DRAFT)
    _apply_pledge_input(pledge, data)
    session.add(pledge)
    session.flush()
    record(
        session,
        actor.id,
        "pledge.created",
        Target("pledge", pledge.id, municipality_id),
        title=pledge.title,
    )
    session.commit()
    return pledge


def update_pledge(
    session: DbSession,
    municipality_id: int,
    pledge_id: int,
    data: PledgeInput,
    *,
    actor: Account,
    scope: Scope,
) -> Pledge:
    """Change a draft's or a published pledge's texts and dates; the audit keeps the old ones."""
    require_admin(scope, municipality_id)
    pledge = get_owned(session, Pledge, municipality_id, pledge_id)
    require_open(pledge)
    data = _cleaned(data)
    _check_pledge_input(
        data,
        required_locale(session, municipality_id),
        published=pledge.status == PledgeStatus.PUBLISHED,
    )
    before = _pledge_values(pledge)
    _apply_pledge_input(pledge, data)
    changed = changes(before, _pledge_values(pledge))
    if changed:
        record(
            session,
            actor.id,
            "pledge.updated",
            Target("pledge", pledge.id, municipality_id),
            status=pledge.status.value,
            changes=changed,
        )
    session.commit()
    return pledge


def publish_pledge(
    session: DbSession, municipality_id: int, pledge_id: int, *, actor: Account, scope: Scope
) -> Pledge:
    """Make a complete draft public; InvalidInputError lists what is missing."""
    pledge = get_pledge(session, municipality_id, pledge_id, scope=scope)
    if pledge.status != PledgeStatus.DRAFT:
        raise InvalidInputError({"status": _l("Only a draft can be published.")})
    problems = publish_problems(pledge, required_locale(session, municipality_id))
    if problems:
        raise InvalidInputError(problems)
    _set_status(session, pledge, PledgeStatus.PUBLISHED, "pledge.published", actor)
    return pledge


def close_pledge(
    session: DbSession, municipality_id: int, pledge_id: int, *, actor: Account, scope: Scope
) -> Pledge:
    """End a published pledge: it stays public as history."""
    require_admin(scope, municipality_id)
    pledge = get_owned(session, Pledge, municipality_id, pledge_id)
    if pledge.status != PledgeStatus.PUBLISHED:
        raise InvalidInputError({"status": _l("Only a published pledge can be closed.")})
    _set_status(session, pledge, PledgeStatus.CLOSED, "pledge.closed", actor)
    return pledge


def delete_draft(
    session: DbSession, municipality_id: int, pledge_id: int, *, actor: Account, scope: Scope
) -> None:
    """Remove a draft with its commitments and initiatives; published pledges stay for good."""
    pledge = get_pledge(session, municipality_id, pledge_id, scope=scope)
    if pledge.status != PledgeStatus.DRAFT:
        raise InvalidInputError({"status": _l("Only a draft can be deleted.")})
    commitment_ids = [c.id for c in pledge.commitments]
    session.execute(delete(ProgressUpdate).where(ProgressUpdate.commitment_id.in_(commitment_ids)))
    for child in (*pledge.commitments, *pledge.initiatives):
        session.delete(child)
    session.delete(pledge)
    record(
        session,
        actor.id,
        "pledge.deleted",
        Target("pledge", pledge_id, municipality_id),
        title=pledge.title,
    )
    session.commit()


def _set_status(
    session: DbSession, pledge: Pledge, status: PledgeStatus, action: str, actor: Account
) -> None:
    before = pledge.status
    pledge.status = status
    record(
        session,
        actor.id,
        action,
        Target.of("pledge", pledge),
        changes={"status": [before.value, status.value]},
    )
    session.commit()


def require_open(pledge: Pledge) -> None:
    if pledge.status == PledgeStatus.CLOSED:
        raise InvalidInputError({"status": _l("A closed pledge cannot be changed.")})


def _cleaned(data: PledgeInput) -> PledgeInput:
    signatories = (Signatory(clean_line(s.name), localized_line(s.role)) for s in data.signatories)
    return dataclasses.replace(
        data,
        title=localized_line(data.title),
        focus=localized_text(data.focus),
        goal=localized_text(data.goal),
        sources=tuple(filter(None, (localized_line(source) for source in data.sources))),
        signatories=tuple(s for s in signatories if s.name or s.role),
    )


def _check_pledge_input(data: PledgeInput, required: str, *, published: bool) -> None:
    """Problems by form field (``title_<locale>``); only the ``required`` language is needed."""
    errors: dict[str, Any] = {}
    language = language_for_reader(required)
    if not data.title.get(required):
        errors[f"title_{required}"] = _l("Give the title in %(language)s.", language=language)
    if data.valid_to < data.valid_from:
        errors["valid_to"] = _l("The end date must be the same as or after the start date.")
    if any(not s.name or not s.role.get(required) for s in data.signatories):
        errors["signatories"] = _l(
            "Give every signatory a name and a role in %(language)s.", language=language
        )
    if len(data.sources) != len({tuple(sorted(s.items())) for s in data.sources}):
        errors[f"sources_{required}"] = _l("A source is listed twice. Remove one of them.")
    if any(not source.get(required) for source in data.sources):
        errors[f"sources_{required}"] = _l("Give every source in %(language)s.", language=language)
    if published:
        errors.update(_published_gaps(data, required))
    if errors:
        raise InvalidInputError(errors)


def _published_gaps(data: PledgeInput, required: str) -> dict[str, Any]:
    """A published pledge must stay complete in the required language."""
    gaps: dict[str, Any] = {}
    for field, value in (("title", data.title), ("focus", data.focus), ("goal", data.goal)):
        for locale in missing_locales(value, [required]):
            gaps[f"{field}_{locale}"] = _l(
                "A published pledge needs this text in %(language)s.",
                language=language_for_reader(locale),
            )
    if not data.signatories:
        gaps["signatories"] = _l("A published pledge needs at least one signatory.")
    return gaps


def _apply_pledge_input(pledge: Pledge, data: PledgeInput) -> None:
    pledge.title = dict(data.title)
    pledge.focus = dict(data.focus)
    pledge.goal = dict(data.goal)
    pledge.valid_from = data.valid_from
    pledge.valid_to = data.valid_to
    pledge.signed_on = data.signed_on
    pledge.sources = [dict(source) for source in data.sources]
    pledge.signatories = [signatory.as_json() for signatory in data.signatories]


def _pledge_values(pledge: Pledge) -> dict[str, Any]:
    return {
        "title": pledge.title,
        "focus": pledge.focus,
        "goal": pledge.goal,
        "valid_from": pledge.valid_from.isoformat(),
        "valid_to": pledge.valid_to.isoformat(),
        "signed_on": pledge.signed_on.isoformat() if pledge.signed_on else None,
        "sources": pledge.sources,
        "signatories": pledge.signatories,
    }
