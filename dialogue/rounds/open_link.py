"""A round's open link: an organisation outside the register names itself and gets its own
link. The organisation (if new) and its answers stay unverified until a moderator confirms
them (``results.verify_response``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dialogue.db import DbSession, utcnow
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.organisations.models import Organisation
from dialogue.organisations.registration import OrganisationDetails, register_unverified
from dialogue.outbox.services import enqueue
from dialogue.rounds import tokens
from dialogue.rounds.answer_mail import LINK_MAIL, own_link_mail
from dialogue.rounds.models import InputRound, Invitation, ResponseVia, RoundResponse
from dialogue.rounds.state import RoundState, round_state
from dialogue.rounds.visits import AnswerSite, RoundNotOpenError

ALREADY_ANSWERED = _l(
    "Your organisation has already answered this round. Use your organisation's own link to "
    "see or change the answers."
)
ALREADY_INVITED = _l(
    "Your organisation already has its own link to this round. Use that link to answer, or ask "
    "the municipality for it."
)


def answer_via_open_link(
    session: DbSession, input_round: InputRound, details: OrganisationDetails, site: AnswerSite
) -> str:
    """Give an organisation that named itself on the open link its own link; the new token.

    An organisation not in the register is added unverified. Its answers are unverified
    until a moderator confirms them. An organisation that already has a link to this round
    (it was invited, or answered before) is refused: it uses the link it has.
    """
    state = round_state(input_round, site.today)
    if state is not RoundState.OPEN:
        raise RoundNotOpenError(state)
    registration = register_unverified(session, input_round.municipality_id, details)
    organisation = registration.organisation
    contact_name, contact_email = registration.contact_name, registration.contact_email
    if not registration.is_new:
        _refuse_if_linked(session, input_round, organisation)
    salt, token, token_hash = tokens.issue(site.key)
    invitation = Invitation(
        municipality_id=input_round.municipality_id,
        round=input_round,
        organisation=organisation,
        via=ResponseVia.OPEN_LINK,
        token_salt=salt,
        token_hash=token_hash,
        sent_at=utcnow() if contact_email else None,
    )
    session.add(invitation)
    session.add(
        RoundResponse(
            municipality_id=input_round.municipality_id,
            round_id=input_round.id,
            organisation=organisation,
            invitation=invitation,
            respondent_name=contact_name,
            respondent_email=contact_email,
            is_verified=False,
            last_step=0,
        )
    )
    if contact_email:
        mail = own_link_mail(input_round, registration.name, token, site)
        enqueue(
            session,
            municipality_id=input_round.municipality_id,
            to_address=contact_email,
            mail=mail,
            kind=LINK_MAIL,
        )
    try:
        session.commit()
    except IntegrityError:
        # Someone sent the same organisation number at the same moment: one of them wins.
        session.rollback()
        raise InvalidInputError({"org_number": str(ALREADY_ANSWERED)}) from None
    return token


def _refuse_if_linked(
    session: DbSession, input_round: InputRound, organisation: Organisation
) -> None:
    invitation = session.scalar(
        select(Invitation).where(
            Invitation.round_id == input_round.id, Invitation.organisation_id == organisation.id
        )
    )
    if invitation is None:
        return
    answered = session.scalar(
        select(RoundResponse.id).where(
            RoundResponse.round_id == input_round.id,
            RoundResponse.organisation_id == organisation.id,
        )
    )
    raise InvalidInputError(
        {"org_number": str(ALREADY_ANSWERED if answered is not None else ALREADY_INVITED)}
    )
