"""Input rounds in the workspace: creating one from a pledge, its texts and dates, publishing,
the open link and deleting a draft.

Moderators and administrators of the municipality change rounds; everyone who may read the
municipality (analysts too) may read them. Publishing freezes the questions
(:func:`dialogue.rounds.state.questions_frozen`); the questionnaire itself is kept by
:mod:`dialogue.rounds.questionnaire`, invitations by :mod:`dialogue.rounds.invitations`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_reader
from dialogue.accounts.context import Context
from dialogue.audit.services import Target, record
from dialogue.config import current_settings
from dialogue.db import DbSession, Localized
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.places.models import Place
from dialogue.pledges.models import Initiative, Pledge, PledgeStatus
from dialogue.pledges.services import get_current_pledge
from dialogue.records import changes, localized_line, localized_text
from dialogue.rounds import questionnaire, tokens
from dialogue.rounds.models import InputRound, Invitation, Question
from dialogue.rounds.queries import find_round, participation
from dialogue.rounds.state import questions_frozen

MAX_TITLE = 200
MAX_INTRODUCTION = 5000


@dataclasses.dataclass(frozen=True)
class RoundInput:
    """A round's own texts and dates as typed; the services clean them."""

    title: Localized
    introduction: Localized
    opens_on: dt.date
    closes_on: dt.date


@dataclasses.dataclass(frozen=True)
class RoundRow:
    """A round in the list, with how many were invited and how many answered."""

    round: InputRound
    invited: int
    responded: int

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


@dataclasses.dataclass(frozen=True)
class RoundSource:
    """What a new round's default questions are made from: the pledge ``pledge_id``, else
    (``use_current_pledge``) the current published one; and the places to ask about."""

    pledge_id: int | None = None
    use_current_pledge: bool = True
    place_ids: Sequence[int] = ()


# Reading


def get_round(
    session: DbSession, municipality_id: int, round_id: int, *, scope: Scope
) -> InputRound:
    """A round of this municipality with its questions; NotFoundError for any other."""
    require_reader(scope, municipality_id)
    return find_round(session, municipality_id, round_id)


def list_rounds(session: DbSession, municipality_id: int, *, scope: Scope) -> list[RoundRow]:
    """Every round of the municipality, the latest opening first, with its response counts."""
    require_reader(scope, municipality_id)
    rounds = list(
        session.scalars(
            select(InputRound)
            .where(InputRound.municipality_id == municipality_id)
            .order_by(InputRound.opens_on.desc(), InputRound.id.desc())
        )
    )
    counts = participation(session, [r.id for r in rounds])
    return [RoundRow(r, *counts.get(r.id, (0, 0))) for r in rounds]


def list_pledge_choices(session: DbSession, municipality_id: int) -> list[Pledge]:
    """Pledges a round can be made from: published ones, then closed ones, newest first."""
    return list(
        session.scalars(
            select(Pledge)
            .where(
                Pledge.municipality_id == municipality_id,
                Pledge.status.in_((PledgeStatus.PUBLISHED, PledgeStatus.CLOSED)),
            )
            .order_by(Pledge.status.desc(), Pledge.valid_from.desc(), Pledge.id.desc())
        )
    )


def list_place_choices(session: DbSession, municipality_id: int) -> list[Place]:
    return list(
        session.scalars(
            select(Place)
            .where(Place.municipality_id == municipality_id)
            .order_by(Place.name, Place.id)
        )
    )


def default_pledge(session: DbSession, municipality_id: int, today: dt.date) -> Pledge | None:
    """The municipality's current published pledge (see ``get_current_pledge``)."""
    return get_current_pledge(session, municipality_id, today)


def default_place_ids(pledge: Pledge | None) -> list[int]:
    """The places the pledge's initiatives work at: the default places to ask about."""
    if pledge is None:
        return []
    seen: dict[int, None] = {}
    for initiative in pledge.initiatives:
        for place in initiative.places:
            seen.setdefault(place.id)
    return list(seen)


def open_link_token(input_round: InputRound, key: bytes) -> str | None:
    """The round's open link token, or None when the open link is off."""
    if input_round.open_token_salt is None:
        return None
    return tokens.token_for(key, input_round.open_token_salt)


# Changing


def create_round(
    session: DbSession,
    ctx: Context,
    data: RoundInput,
    source: RoundSource = RoundSource(),
    *,
    today: dt.date,
) -> InputRound:
    """A new draft round with the default questionnaire of a pledge.

    The pledge and places come from ``source``; the questionnaire asks about each of the
    pledge's commitments, about safety at the places by day and by night, the top categories
    of concern and two free-text questions. ``today`` is the municipality's local date.
    """
    ctx.require_moderator()
    municipality_id = ctx.municipality_id
    values = _checked(data)
    pledge = _pledge(session, municipality_id, source, today)
    places = _places(session, municipality_id, source.place_ids)
    input_round = InputRound(
        municipality_id=municipality_id,
        pledge_id=pledge.id if pledge else None,
        created_by_id=ctx.actor.id,
        **values,
    )
    session.add(input_round)
    session.flush()
    questions = questionnaire.add_default_questions(session, input_round, pledge, places)
    record(
        session,
        ctx.actor.id,
        "round.created",
        Target("input_round", input_round.id, municipality_id),
        values=_audit_values(input_round),
        pledge_id=input_round.pledge_id,
        place_ids=[p.id for p in places],
        questions=len(questions),
    )
    session.commit()
    return input_round


def update_round(session: DbSession, ctx: Context, round_id: int, data: RoundInput) -> InputRound:
    """Change a round's title, introduction and dates; the audit keeps the old ones."""
    ctx.require_moderator()
    input_round = find_round(session, ctx.municipality_id, round_id)
    values = _checked(data)
    before = _audit_values(input_round)
    for name, value in values.items():
        setattr(input_round, name, value)
    changed = changes(before, _audit_values(input_round))
    if changed:
        record(
            session,
            ctx.actor.id,
            "round.updated",
            Target.of("input_round", input_round),
            changes=changed,
        )
    session.commit()
    return input_round


def publish_round(session: DbSession, ctx: Context, round_id: int) -> InputRound:
    """Publish a draft: its questions are frozen and its links work from the opening date."""
    ctx.require_moderator()
    input_round = find_round(session, ctx.municipality_id, round_id)
    if questions_frozen(input_round):
        raise InvalidInputError({"status": _l("The round is already published.")})
    if not input_round.questions:
        raise InvalidInputError({"questions": _l("Add at least one question before publishing.")})
    input_round.published_at = ctx.now
    record(
        session,
        ctx.actor.id,
        "round.published",
        Target.of("input_round", input_round),
        questions=[q.id for q in input_round.questions],
    )
    session.commit()
    return input_round


def enable_open_link(session: DbSession, ctx: Context, round_id: int, *, key: bytes) -> str:
    """Turn the open link on, or give it a new token (the old one stops working); the token."""
    ctx.require_moderator()
    input_round = find_round(session, ctx.municipality_id, round_id)
    renewed = input_round.open_token_salt is not None
    salt, token, lookup = tokens.issue(key)
    input_round.open_token_salt = salt
    input_round.open_token_hash = lookup
    action = "round.open_link_renewed" if renewed else "round.open_link_enabled"
    record(
        session,
        ctx.actor.id,
        action,
        Target.of("input_round", input_round),
    )
    session.commit()
    return token


def disable_open_link(session: DbSession, ctx: Context, round_id: int) -> InputRound:
    """Turn the open link off; answers already given through it stay."""
    ctx.require_moderator()
    input_round = find_round(session, ctx.municipality_id, round_id)
    if input_round.open_token_salt is None:
        raise InvalidInputError({"open_link": _l("The round has no open link.")})
    input_round.open_token_salt = None
    input_round.open_token_hash = None
    record(
        session,
        ctx.actor.id,
        "round.open_link_disabled",
        Target.of("input_round", input_round),
    )
    session.commit()
    return input_round


def delete_round(session: DbSession, ctx: Context, round_id: int) -> None:
    """Delete a draft round and its questions; a published round stays for good."""
    ctx.require_moderator()
    input_round = find_round(session, ctx.municipality_id, round_id)
    if questions_frozen(input_round):
        raise InvalidInputError(
            {"status": _l("A published round cannot be deleted: organisations may have answered.")}
        )
    has_invitations = session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.round_id == input_round.id)
    )
    if has_invitations:
        raise InvalidInputError(
            {"status": _l("Organisations are invited to this round, so it cannot be deleted.")}
        )
    record(
        session,
        ctx.actor.id,
        "round.deleted",
        Target.of("input_round", input_round),
        values=_audit_values(input_round),
    )
    session.execute(delete(Question).where(Question.round_id == input_round.id))
    session.delete(input_round)
    session.commit()


# Helpers


def _checked(data: RoundInput) -> dict[str, Any]:
    """The column values for ``data``, or InvalidInputError with every problem at once."""
    errors: dict[str, Any] = {}
    title = localized_line(data.title)
    introduction = localized_text(data.introduction)
    # The default locale is the one language every round is written in.
    default = current_settings().default_locale
    if not title.get(default):
        errors[f"title_{default}"] = _l("Give the title in Swedish.")
    for locale, text in title.items():
        if len(text) > MAX_TITLE:
            errors[f"title_{locale}"] = _l("Use at most %(limit)d characters.", limit=MAX_TITLE)
    if not introduction.get(default):
        errors[f"introduction_{default}"] = _l("Write the introduction in Swedish.")
    for locale, text in introduction.items():
        if len(text) > MAX_INTRODUCTION:
            errors[f"introduction_{locale}"] = _l(
                "Use at most %(limit)d characters.", limit=MAX_INTRODUCTION
            )
    if data.closes_on < data.opens_on:
        errors["closes_on"] = _l("The closing date must be the same as or after the opening date.")
    if errors:
        raise InvalidInputError(errors)
    return {
        "title": title,
        "introduction": introduction,
        "opens_on": data.opens_on,
        "closes_on": data.closes_on,
    }


def _pledge(
    session: DbSession, municipality_id: int, source: RoundSource, today: dt.date
) -> Pledge | None:
    if source.pledge_id is None:
        if not source.use_current_pledge:
            return None
        return default_pledge(session, municipality_id, today)
    pledge = session.scalar(
        select(Pledge)
        .where(Pledge.id == source.pledge_id, Pledge.municipality_id == municipality_id)
        .options(
            selectinload(Pledge.commitments),
            selectinload(Pledge.initiatives).selectinload(Initiative.places),
        )
    )
    if pledge is None or pledge.status == PledgeStatus.DRAFT:
        raise InvalidInputError({"pledge": _l("Choose a published pledge from the list.")})
    return pledge


def _places(session: DbSession, municipality_id: int, place_ids: Sequence[int]) -> list[Place]:
    wanted = list(dict.fromkeys(place_ids))
    if not wanted:
        return []
    found = {
        p.id: p
        for p in session.scalars(
            select(Place).where(Place.id.in_(wanted), Place.municipality_id == municipality_id)
        )
    }
    if len(found) != len(wanted):
        raise InvalidInputError({"places": _l("Choose places from the list.")})
    return [found[i] for i in wanted]


def _audit_values(input_round: InputRound) -> dict[str, Any]:
    return {
        "title": dict(input_round.title),
        "introduction": dict(input_round.introduction),
        "opens_on": input_round.opens_on.isoformat(),
        "closes_on": input_round.closes_on.isoformat(),
    }
