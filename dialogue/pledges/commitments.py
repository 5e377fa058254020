"""Commitments of a pledge, their order, and the dated progress reported on each."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_admin
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession, Localized
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.pledges.editing import require_open, required_locale
from dialogue.pledges.models import Commitment, Pledge, PledgeStatus, ProgressUpdate
from dialogue.records import get_owned, language_for_reader, localized_text


def get_commitment(
    session: DbSession, municipality_id: int, commitment_id: int, *, scope: Scope
) -> Commitment:
    """A commitment of this municipality with its pledge and progress updates."""
    require_admin(scope, municipality_id)
    commitment = session.scalar(
        select(Commitment)
        .where(Commitment.id == commitment_id, Commitment.municipality_id == municipality_id)
        .options(selectinload(Commitment.progress_updates), selectinload(Commitment.pledge))
    )
    if commitment is None:
        raise NotFoundError(commitment_id)
    return commitment


def add_commitment(
    session: DbSession,
    municipality_id: int,
    pledge_id: int,
    text: Localized,
    *,
    actor: Account,
    scope: Scope,
) -> Commitment:
    """A commitment at the end of the pledge's list."""
    require_admin(scope, municipality_id)
    pledge = get_owned(session, Pledge, municipality_id, pledge_id)
    require_open(pledge)
    text = localized_text(text)
    _check_commitment_text(text, required_locale(session, municipality_id))
    last = session.scalar(
        select(func.max(Commitment.position)).where(Commitment.pledge_id == pledge.id)
    )
    commitment = Commitment(
        municipality_id=municipality_id, pledge=pledge, position=(last or 0) + 1, text=dict(text)
    )
    session.add(commitment)
    session.flush()
    record(
        session,
        actor.id,
        "commitment.added",
        Target.of("commitment", commitment),
        pledge_id=commitment.pledge_id,
        text=commitment.text,
    )
    session.commit()
    return commitment


def update_commitment(
    session: DbSession,
    municipality_id: int,
    commitment_id: int,
    text: Localized,
    *,
    actor: Account,
    scope: Scope,
) -> Commitment:
    require_admin(scope, municipality_id)
    commitment = get_owned(session, Commitment, municipality_id, commitment_id)
    require_open(commitment.pledge)
    text = localized_text(text)
    _check_commitment_text(text, required_locale(session, municipality_id))
    if commitment.text != text:
        changed = {"text": [commitment.text, dict(text)]}
        commitment.text = dict(text)
        record(
            session,
            actor.id,
            "commitment.updated",
            Target.of("commitment", commitment),
            pledge_id=commitment.pledge_id,
            changes=changed,
        )
    session.commit()
    return commitment


def move_commitment(
    session: DbSession,
    municipality_id: int,
    commitment_id: int,
    step: int,
    *,
    actor: Account,
    scope: Scope,
) -> Commitment:
    """Swap a commitment with its neighbour above (``step=-1``) or below (``step=1``)."""
    require_admin(scope, municipality_id)
    commitment = get_owned(session, Commitment, municipality_id, commitment_id)
    pledge = commitment.pledge
    require_open(pledge)
    ordered = _renumber(pledge.commitments)
    index = ordered.index(commitment)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(ordered):
        raise InvalidInputError({"position": _l("The commitment cannot be moved further.")})
    other = ordered[target]
    commitment.position, other.position = other.position, commitment.position
    record(
        session,
        actor.id,
        "commitment.moved",
        Target.of("commitment", commitment),
        pledge_id=commitment.pledge_id,
        changes={"position": [other.position, commitment.position]},
    )
    session.commit()
    return commitment


def remove_commitment(
    session: DbSession, municipality_id: int, commitment_id: int, *, actor: Account, scope: Scope
) -> None:
    """Remove a commitment of a draft; the ones after it move up."""
    require_admin(scope, municipality_id)
    commitment = get_owned(session, Commitment, municipality_id, commitment_id)
    pledge = commitment.pledge
    if pledge.status != PledgeStatus.DRAFT:
        raise InvalidInputError(
            {"status": _l("Commitments can only be removed while the pledge is a draft.")}
        )
    session.execute(delete(ProgressUpdate).where(ProgressUpdate.commitment_id == commitment.id))
    record(
        session,
        actor.id,
        "commitment.removed",
        Target.of("commitment", commitment),
        pledge_id=commitment.pledge_id,
        text=commitment.text,
    )
    remaining = [c for c in pledge.commitments if c is not commitment]
    session.delete(commitment)
    session.flush()
    _renumber(remaining)
    session.commit()


def _renumber(commitments: list[Commitment]) -> list[Commitment]:
    """Positions 1…n in the current order, so moving works even after gaps or ties."""
    ordered = sorted(commitments, key=lambda c: (c.position, c.id))
    for position, commitment in enumerate(ordered, start=1):
        commitment.position = position
    return ordered


def _check_commitment_text(text: Localized, required: str) -> None:
    if not text.get(required):
        raise InvalidInputError(
            {
                f"text_{required}": _l(
                    "Write the commitment in %(language)s.", language=language_for_reader(required)
                )
            }
        )


# Progress updates


@dataclasses.dataclass(frozen=True)
class ProgressUpdateInput:
    """A progress update as typed: its date and what was done, per language."""

    published_on: dt.date
    text: Localized


def add_progress_update(
    session: DbSession,
    municipality_id: int,
    commitment_id: int,
    data: ProgressUpdateInput,
    *,
    actor: Account,
    scope: Scope,
) -> ProgressUpdate:
    """A dated public note on what was done for a commitment of a published pledge."""
    published_on = data.published_on
    require_admin(scope, municipality_id)
    commitment = get_owned(session, Commitment, municipality_id, commitment_id)
    if commitment.pledge.status == PledgeStatus.DRAFT:
        raise InvalidInputError(
            {"published_on": _l("Progress can be reported once the pledge is published.")}
        )
    text = localized_text(data.text)
    required = required_locale(session, municipality_id)
    if not text.get(required):
        message = _l(
            "Write what was done, in %(language)s.", language=language_for_reader(required)
        )
        raise InvalidInputError({f"update_{required}": message})
    update = ProgressUpdate(
        municipality_id=municipality_id,
        commitment=commitment,
        published_on=published_on,
        text=dict(text),
    )
    session.add(update)
    session.flush()
    record(
        session,
        actor.id,
        "progress_update.added",
        Target("progress_update", update.id, municipality_id),
        commitment_id=commitment.id,
        published_on=published_on.isoformat(),
        text=update.text,
    )
    session.commit()
    return update


def remove_progress_update(
    session: DbSession,
    municipality_id: int,
    commitment_id: int,
    update_id: int,
    *,
    actor: Account,
    scope: Scope,
) -> None:
    require_admin(scope, municipality_id)
    update = get_owned(session, ProgressUpdate, municipality_id, update_id)
    if update.commitment_id != commitment_id:
        raise NotFoundError(update_id)
    record(
        session,
        actor.id,
        "progress_update.removed",
        Target("progress_update", update.id, municipality_id),
        commitment_id=commitment_id,
        published_on=update.published_on.isoformat(),
        text=update.text,
    )
    session.delete(update)
    session.commit()
