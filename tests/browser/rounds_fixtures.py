"""Records and look-ups the input round browser test shares: an association, the outbox.

Like ``workspace_fixtures``, everything here reads and writes the live server's database in an
app context of its app, and names what it creates uniquely.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gettext
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.outbox.models import OutboxMessage
from dialogue.pledges.models import Commitment
from dialogue.resources import resource_path
from dialogue.rounds.models import InputRound, Question, QuestionKind
from tests.browser.helpers import LiveServer
from tests.browser.workspace_fixtures import app_session, municipality_id, unique
from tests.factories import valid_org_number

Plural = Callable[[str, str, int], str]

TIMEZONE = ZoneInfo("Europe/Stockholm")


def stockholm_today() -> dt.date:
    """Today where Falköping is: the date the round's pages count from."""
    return dt.datetime.now(TIMEZONE).date()


def plural_translator(locale: str) -> Plural:
    """``ngettext`` of the app's catalogue for ``locale``, for messages with a count in them."""
    translations = gettext.translation(
        "messages", localedir=str(resource_path("translations")), languages=[locale], fallback=True
    )
    return translations.ngettext


@dataclasses.dataclass(frozen=True)
class Association:
    id: int
    name: str
    email: str


def create_association(live_server: LiveServer) -> Association:
    """A verified association in Falköping's register, with a contact e-mail address."""
    name = unique("Förening ")
    email = f"{unique('forening-')}@example.se"
    with app_session(live_server) as session:
        town = municipality_id(session)
        taken = set(
            session.scalars(select(Organisation.org_number).filter_by(municipality_id=town))
        )
        org_number = valid_org_number(802_000_000 + uuid.uuid4().int % 1_000_000)
        while org_number in taken:
            org_number = valid_org_number(802_000_000 + uuid.uuid4().int % 1_000_000)
        organisation = Organisation(
            municipality_id=town,
            name=name,
            type=OrganisationType.ASSOCIATION,
            org_number=org_number,
            contact_name="Kim Kontakt",
            contact_email=email,
            is_verified=True,
        )
        session.add(organisation)
        session.commit()
        return Association(organisation.id, name, email)


@dataclasses.dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def queued_mail(live_server: LiveServer, to_address: str, kind: str) -> list[Mail]:
    """The messages of ``kind`` queued for ``to_address``, oldest first."""
    with app_session(live_server) as session:
        rows = session.scalars(
            select(OutboxMessage)
            .filter_by(to_address=to_address, kind=kind)
            .order_by(OutboxMessage.id)
        ).all()
        return [Mail(row.subject, row.body) for row in rows]


@dataclasses.dataclass(frozen=True)
class RoundShape:
    """What a round asks, counted from the database rather than from the pages."""

    commitments: int  # of the round's pledge: one step each
    places: int  # asked about: one step each
    questions: int

    @property
    def steps(self) -> int:
        # One step per commitment and per place, one for the categories, one for the rest.
        return self.commitments + self.places + 2


def round_shape(live_server: LiveServer, round_id: int) -> RoundShape:
    with app_session(live_server) as session:
        input_round = session.get(InputRound, round_id)
        assert input_round is not None and input_round.pledge_id is not None
        commitments = session.scalar(
            select(func.count()).select_from(Commitment).filter_by(pledge_id=input_round.pledge_id)
        )
        places = session.scalar(
            select(func.count(func.distinct(Question.place_id))).where(
                Question.round_id == round_id, Question.kind == QuestionKind.PLACE_SAFETY
            )
        )
        questions = session.scalar(
            select(func.count()).select_from(Question).filter_by(round_id=round_id)
        )
        return RoundShape(int(commitments or 0), int(places or 0), int(questions or 0))
