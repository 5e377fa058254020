"""Inviting organisations of the register to a round, each with its own link, and sending the
invitations and reminders by e-mail through the outbox.

A link's token is derived from the salt kept in the invitation and the invitation key
(:mod:`dialogue.rounds.tokens`), so a reminder repeats the same link. The link itself is built
by the context's link builder, which knows the public address. The mails are
``templates/mail/round_invitation.txt`` and ``round_reminder.txt``, in the municipality's
language. Invitations are made and sent only while a round is published and not closed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_reader
from dialogue.accounts.context import Context
from dialogue.audit.services import Target, record
from dialogue.config import current_settings
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.municipalities.models import Municipality
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.outbox.mail import Mail, compose
from dialogue.outbox.services import enqueue
from dialogue.rounds import tokens
from dialogue.rounds.models import InputRound, Invitation, ResponseVia, RoundResponse
from dialogue.rounds.queries import find_round
from dialogue.rounds.state import RoundState, round_state
from dialogue.rounds.texts import text_in

REMINDER_INTERVAL = dt.timedelta(hours=24)
INVITATION_KIND = "round_invitation"
REMINDER_KIND = "round_reminder"
# The public page an organisation's own link opens.
ANSWER_ENDPOINT = "answer.start"


class InvitationStatus(StrEnum):
    NOT_SENT = "not_sent"  # made, but no e-mail sent (none yet, or no address)
    SENT = "sent"
    REMINDED = "reminded"
    STARTED = "started"  # answers saved, not yet submitted
    ANSWERED = "answered"


@dataclasses.dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    token: str
    status: InvitationStatus

    @property
    def organisation(self) -> Organisation:
        return self.invitation.organisation


@dataclasses.dataclass(frozen=True)
class Invitees:
    """Whom to invite: the chosen organisations, else the verified organisations of the
    register (of ``types``, if given)."""

    organisation_ids: Sequence[int] | None = None
    types: Sequence[OrganisationType] | None = None


@dataclasses.dataclass(frozen=True)
class SendOutcome:
    """What a sending did: messages queued, organisations to give the link by hand, and
    invitations left alone because they were contacted less than a day ago."""

    sent: int
    without_email: tuple[Organisation, ...] = ()
    too_recent: int = 0


@dataclasses.dataclass(frozen=True)
class Waiting:
    """Invitations made but not yet sent: those sending will e-mail, and those without an
    address, whose link is given by hand."""

    with_email: int
    without_email: int


def waiting_to_send(rows: Sequence[InvitationRow]) -> Waiting:
    """How many of the round's invitations the send button would e-mail, and how many not."""
    waiting = [
        row.organisation
        for row in rows
        if row.invitation.via == ResponseVia.INVITATION and row.invitation.sent_at is None
    ]
    with_email = sum(1 for organisation in waiting if organisation.contact_email)
    return Waiting(with_email, len(waiting) - with_email)


def status_of(invitation: Invitation) -> InvitationStatus:
    response = invitation.response
    if response is not None and response.submitted_at is not None:
        return InvitationStatus.ANSWERED
    if response is not None:
        return InvitationStatus.STARTED
    if invitation.reminded_at is not None:
        return InvitationStatus.REMINDED
    if invitation.sent_at is not None:
        return InvitationStatus.SENT
    return InvitationStatus.NOT_SENT


# Reading


def list_invitations(
    session: DbSession, municipality_id: int, round_id: int, *, key: bytes, scope: Scope
) -> list[InvitationRow]:
    """Every invitation of a round with its token and status, by organisation name."""
    require_reader(scope, municipality_id)
    input_round = find_round(session, municipality_id, round_id)
    return [
        InvitationRow(
            invitation, tokens.token_for(key, invitation.token_salt), status_of(invitation)
        )
        for invitation in _invitations(session, input_round)
    ]


def list_invitable(session: DbSession, municipality_id: int, round_id: int) -> list[Organisation]:
    """Organisations of the register not yet invited to the round, by name."""
    invited = select(Invitation.organisation_id).where(Invitation.round_id == round_id)
    return list(
        session.scalars(
            select(Organisation)
            .where(
                Organisation.municipality_id == municipality_id,
                Organisation.id.not_in(invited),
            )
            .order_by(Organisation.name, Organisation.id)
        )
    )


# Changing


def invite_organisations(
    session: DbSession,
    ctx: Context,
    round_id: int,
    invitees: Invitees = Invitees(),
    *,
    key: bytes,
    today: dt.date,
) -> list[Invitation]:
    """Give organisations their own link (see :class:`Invitees`); those already invited are
    left as they are. ``today`` is the municipality's local date."""
    ctx.require_moderator()
    municipality_id = ctx.municipality_id
    input_round = _sendable(session, municipality_id, round_id, today)
    organisations = _chosen(session, municipality_id, invitees)
    already = set(
        session.scalars(
            select(Invitation.organisation_id).where(Invitation.round_id == input_round.id)
        )
    )
    new = [o for o in organisations if o.id not in already]
    if not new:
        raise InvalidInputError(
            {"organisations": _l("Every organisation you chose is already invited.")}
        )
    invitations = []
    for organisation in new:
        salt, _token, lookup = tokens.issue(key)
        invitation = Invitation(
            municipality_id=municipality_id,
            round_id=input_round.id,
            organisation_id=organisation.id,
            via=ResponseVia.INVITATION,
            token_salt=salt,
            token_hash=lookup,
        )
        session.add(invitation)
        invitations.append(invitation)
    session.flush()
    record(
        session,
        ctx.actor.id,
        "round.invited",
        Target.of("input_round", input_round),
        organisation_ids=[o.id for o in new],
        invitation_ids=[i.id for i in invitations],
    )
    session.commit()
    return invitations


def send_invitations(
    session: DbSession, ctx: Context, round_id: int, *, key: bytes, today: dt.date
) -> SendOutcome:
    """Queue an e-mail with its link to every invited organisation not yet sent one."""
    ctx.require_moderator()
    municipality_id = ctx.municipality_id
    input_round = _sendable(session, municipality_id, round_id, today)
    now = ctx.now
    locale = _locale(session, municipality_id)
    waiting = [
        i
        for i in _invitations(session, input_round)
        if i.via == ResponseVia.INVITATION and i.sent_at is None
    ]
    sent, without = [], []
    for invitation in waiting:
        address = invitation.organisation.contact_email
        if not address:
            without.append(invitation.organisation)
            continue
        mail = _message("round_invitation", ctx, input_round, invitation, key=key, locale=locale)
        invitation.message = enqueue(
            session,
            municipality_id=municipality_id,
            to_address=address,
            mail=mail,
            kind=INVITATION_KIND,
        )
        invitation.sent_at = now
        sent.append(invitation)
    if sent:
        record(
            session,
            ctx.actor.id,
            "round.invitations_sent",
            Target.of("input_round", input_round),
            invitation_ids=[i.id for i in sent],
        )
    session.commit()
    return SendOutcome(sent=len(sent), without_email=tuple(without))


def send_reminders(
    session: DbSession, ctx: Context, round_id: int, *, key: bytes, today: dt.date
) -> SendOutcome:
    """Remind invited organisations that have not submitted an answer.

    Only invitations already sent, and each at most once a day: one sent or reminded less
    than 24 hours ago is left alone.
    """
    ctx.require_moderator()
    municipality_id = ctx.municipality_id
    input_round = _sendable(session, municipality_id, round_id, today)
    now = ctx.now
    locale = _locale(session, municipality_id)
    reminded, without, too_recent = [], [], 0
    for invitation in _invitations(session, input_round):
        if (
            invitation.via != ResponseVia.INVITATION
            or status_of(invitation) == InvitationStatus.ANSWERED
        ):
            continue
        if not invitation.organisation.contact_email:
            without.append(invitation.organisation)
            continue
        if invitation.sent_at is None:
            continue
        last = max(invitation.sent_at, invitation.reminded_at or invitation.sent_at)
        if now - last < REMINDER_INTERVAL:
            too_recent += 1
            continue
        mail = _message("round_reminder", ctx, input_round, invitation, key=key, locale=locale)
        invitation.message = enqueue(
            session,
            municipality_id=municipality_id,
            to_address=invitation.organisation.contact_email,
            mail=mail,
            kind=REMINDER_KIND,
        )
        invitation.reminded_at = now
        invitation.reminder_count += 1
        reminded.append(invitation)
    if reminded:
        record(
            session,
            ctx.actor.id,
            "round.reminders_sent",
            Target.of("input_round", input_round),
            invitation_ids=[i.id for i in reminded],
        )
    session.commit()
    return SendOutcome(sent=len(reminded), without_email=tuple(without), too_recent=too_recent)


# Helpers


def _sendable(
    session: DbSession, municipality_id: int, round_id: int, today: dt.date
) -> InputRound:
    input_round = find_round(session, municipality_id, round_id)
    state = round_state(input_round, today)
    if state == RoundState.DRAFT:
        raise InvalidInputError(
            {"status": _l("Publish the round before you invite organisations to it.")}
        )
    if state == RoundState.CLOSED:
        raise InvalidInputError(
            {"status": _l("The round is closed, so no more invitations or reminders can be sent.")}
        )
    return input_round


def _invitations(session: DbSession, input_round: InputRound) -> list[Invitation]:
    return list(
        session.scalars(
            select(Invitation)
            .join(Organisation, Organisation.id == Invitation.organisation_id)
            .where(Invitation.round_id == input_round.id)
            .options(
                selectinload(Invitation.organisation),
                selectinload(Invitation.message),
                selectinload(Invitation.response).load_only(
                    RoundResponse.id, RoundResponse.submitted_at
                ),
            )
            .order_by(Organisation.name, Invitation.id)
        )
    )


def _chosen(session: DbSession, municipality_id: int, invitees: Invitees) -> list[Organisation]:
    organisation_ids, types = invitees.organisation_ids, invitees.types
    query = select(Organisation).where(Organisation.municipality_id == municipality_id)
    if organisation_ids is not None:
        wanted = set(organisation_ids)
        if not wanted:
            raise InvalidInputError({"organisations": _l("Choose at least one organisation.")})
        found = list(session.scalars(query.where(Organisation.id.in_(wanted))))
        if len(found) != len(wanted):
            raise InvalidInputError({"organisations": _l("Choose organisations from the list.")})
        return sorted(found, key=lambda o: (o.name, o.id))
    query = query.where(Organisation.is_verified)
    if types is not None:
        if not types:
            raise InvalidInputError({"types": _l("Choose at least one type of organisation.")})
        query = query.where(Organisation.type.in_(list(types)))
    found = list(session.scalars(query.order_by(Organisation.name, Organisation.id)))
    if not found:
        raise InvalidInputError({"organisations": _l("There are no organisations to invite.")})
    return found


def _locale(session: DbSession, municipality_id: int) -> str:
    """The municipality's language, which its mails to organisations are written in."""
    municipality = session.get(Municipality, municipality_id)
    return municipality.default_locale if municipality else current_settings().default_locale


def _message(
    name: str,
    ctx: Context,
    input_round: InputRound,
    invitation: Invitation,
    *,
    key: bytes,
    locale: str,
) -> Mail:
    token = tokens.token_for(key, invitation.token_salt)
    return compose(
        name,
        locale,
        organisation=invitation.organisation.name,
        title=text_in(input_round.title, locale),
        introduction=text_in(input_round.introduction, locale),
        opens_on=input_round.opens_on,
        closes_on=input_round.closes_on,
        link=ctx.link(ANSWER_ENDPOINT, token=token),
    )
