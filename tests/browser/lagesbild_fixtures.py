"""Records and look-ups the lägesbild browser test shares: accepted input of 2023, an analyst,
a progress update, the downloads' contents.

Like ``workspace_fixtures``, everything here reads and writes the live server's database in an
app context of its app. The submissions are dated inside the demo pledge's validity
(2023-04-19 to 2023-12-31), which no other browser test writes to, so the test may count them
exactly.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import secrets
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account, Role
from dialogue.accounts.services import NewAccount, create_account
from dialogue.lagesbild.models import LagesbildSnapshot
from dialogue.models import Category, Place
from dialogue.municipalities.models import Municipality, PoliceArea
from dialogue.pledges.models import Commitment, Pledge, PledgeStatus, ProgressUpdate
from dialogue.submissions import receipts
from dialogue.submissions.models import (
    ActorKind,
    Contact,
    Status,
    StatusEvent,
    Submission,
    SubmissionKind,
    SubmitterType,
)
from dialogue.triage.services import StatusChange, change_status
from tests.browser.helpers import LiveServer
from tests.browser.workspace_fixtures import (
    PASSWORD,
    Staff,
    app_session,
    category_id,
    municipality_id,
    unique,
)

TIMEZONE = ZoneInfo("Europe/Stockholm")
# A Wednesday in June 2023, inside the pledge's validity: one weekday and one month for all
# the input, so the public figures by weekday and month hide nothing but small numbers.
RECEIVED_ON = dt.date(2023, 6, 14)
BOM = "\ufeff"


@dataclasses.dataclass(frozen=True)
class Group:
    """Accepted input about one category at one place."""

    category_code: str
    place_slug: str
    count: int


# 8 at Ranten (one is rejected between the two snapshots, leaving 7), and two small groups
# whose sum (2 + 3) reaches the threshold of 5, so that publishing the large ones exactly does
# not give the small ones away (see dialogue/lagesbild/suppression.py).
RANTEN = Group("MILJO.LIGHT", "ranten", 8)
DOTORP = Group("MILJO.LITTER", "dotorp", 2)
MOSSEBERG = Group("TRAF.SPEED", "mosseberg", 3)
GROUPS = (RANTEN, DOTORP, MOSSEBERG)


@dataclasses.dataclass(frozen=True)
class Seeded:
    """What the test put in the database, and the words to look for."""

    ids: dict[str, list[int]]  # by place slug, oldest first
    references: dict[int, str]
    category_labels: dict[str, dict[str, str]]  # by code: {"sv": …, "en": …}
    place_names: dict[str, str]
    raw_marker: str  # only ever in a submission's text
    contact_email: str  # only ever in a Contact row
    quote_id: int  # the submission whose public summary the moderator quotes
    quote_text: str
    rejected_id: int  # a Ranten submission without a summary, rejected between the snapshots
    progress_text: str

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.ids.values())


def _received_at(number: int) -> dt.datetime:
    local = dt.datetime.combine(RECEIVED_ON, dt.time(9, 0), TIMEZONE) + dt.timedelta(
        minutes=7 * number
    )
    return local.astimezone(dt.UTC)


def _submission(
    town: int, category: Any, place: Any, text: str, summary: str | None, at: dt.datetime
) -> Any:
    # Built as dialogue/demo/samples.py builds its samples: received, then accepted.
    submission = Submission(
        municipality_id=town,
        reference=receipts.new_reference(),
        receipt_hash=secrets.token_hex(32),
        idempotency_key=unique("lagesbild-test-"),
        kind=SubmissionKind.CONCERN,
        status=Status.ACCEPTED,
        submitted_category_id=category.id,
        category_id=category.id,
        submitted_place_id=place.id,
        place_id=place.id,
        text=text,
        submitter_type=SubmitterType.RESIDENT,
        locale="sv",
        is_sensitive=category.is_sensitive,
        created_at=at,
        public_summary=summary,
        summary_reviewed_at=at if summary else None,
    )
    submission.status_events.append(
        StatusEvent(
            municipality_id=town,
            actor_kind=ActorKind.SUBMITTER,
            to_status=Status.NEW,
            created_at=at,
        )
    )
    submission.status_events.append(
        StatusEvent(
            municipality_id=town,
            actor_kind=ActorKind.SYSTEM,
            from_status=Status.NEW,
            to_status=Status.ACCEPTED,
            created_at=at + dt.timedelta(hours=1),
        )
    )
    return submission


def seed_input(live_server: LiveServer) -> Seeded:
    """Accepted input of June 2023 in Falköping, a contact address, and a progress update."""
    marker = f"HEMLIG-RÅTEXT-{uuid.uuid4().hex}"
    email = f"{unique('hemlig-')}@example.se"
    quote_text = f"Lamporna längs gångvägen i Ranten är trasiga ({uuid.uuid4().hex[:6]})."
    progress_text = f"Tio nya lampor sitter nu längs gångvägen i Ranten ({uuid.uuid4().hex[:6]})."
    with app_session(live_server) as session:
        town = municipality_id(session)
        categories = {
            group.category_code: session.get(Category, category_id(session, group.category_code))
            for group in GROUPS
        }
        places = {
            place.slug: place
            for place in session.scalars(select(Place).filter_by(municipality_id=town))
        }
        rows: dict[str, list[Any]] = {}
        number = 0
        for group in GROUPS:
            for index in range(group.count):
                summary = None
                text = f"Det är mörkt och otryggt här på kvällarna ({group.place_slug} {index})."
                if group is RANTEN and index == 0:
                    summary = quote_text
                elif group is RANTEN and index == 1:
                    # The raw text is never public: only its summary may be.
                    text = f"{marker} Ring mig, jag bor på andra våningen. {email}"
                    summary = "Det behövs mer belysning vid gångvägen i Ranten."
                elif index == 0:
                    summary = f"Problem vid {places[group.place_slug].name}."
                submission = _submission(
                    town,
                    categories[group.category_code],
                    places[group.place_slug],
                    text,
                    summary,
                    _received_at(number),
                )
                number += 1
                session.add(submission)
                rows.setdefault(group.place_slug, []).append(submission)
        session.flush()
        marked = rows[RANTEN.place_slug][1]
        session.add(
            Contact(
                municipality_id=town,
                submission_id=marked.id,
                email=email,
                consent_at=marked.created_at,
            )
        )
        pledge = session.scalars(
            select(Pledge)
            .filter_by(municipality_id=town, status=PledgeStatus.PUBLISHED)
            .order_by(Pledge.valid_from.desc())
        ).first()
        assert pledge is not None, "the demo has no published pledge"
        commitment = session.scalars(
            select(Commitment).filter_by(pledge_id=pledge.id).order_by(Commitment.position)
        ).first()
        assert commitment is not None, "the demo pledge has no commitment"
        session.add(
            ProgressUpdate(
                municipality_id=town,
                commitment_id=commitment.id,
                # Later than anything else, so it is the commitment's latest news.
                published_on=dt.datetime.now(TIMEZONE).date(),
                text={"sv": progress_text, "en": progress_text},
            )
        )
        session.commit()
        return Seeded(
            ids={slug: [s.id for s in found] for slug, found in rows.items()},
            references={s.id: s.reference for found in rows.values() for s in found},
            category_labels={code: dict(c.label) for code, c in categories.items()},
            place_names={group.place_slug: places[group.place_slug].name for group in GROUPS},
            raw_marker=marker,
            contact_email=email,
            quote_id=rows[RANTEN.place_slug][0].id,
            quote_text=quote_text,
            rejected_id=rows[RANTEN.place_slug][-1].id,
            progress_text=progress_text,
        )


def reject(live_server: LiveServer, submission_id: int, moderator: Staff) -> None:
    """``moderator`` takes an accepted submission back into review and rejects it, through the
    triage service (accepted input cannot be rejected in one step)."""
    with app_session(live_server) as session:
        actor = session.get(Account, moderator.id)
        scope = load_scope(session, actor)
        submission = session.get(Submission, submission_id)
        for change in (
            StatusChange(to=Status.IN_REVIEW),
            StatusChange(to=Status.REJECTED, reason="Samma sak som en annan inlämning."),
        ):
            change_status(session, submission, change, actor=actor, scope=scope)


def set_basis(live_server: LiveServer, snapshot_id: int | None) -> int | None:
    """Make the published 2023 pledge say it is based on ``snapshot_id``; the old value."""
    with app_session(live_server) as session:
        pledge = session.scalars(
            select(Pledge)
            .filter_by(municipality_id=municipality_id(session), status=PledgeStatus.PUBLISHED)
            .order_by(Pledge.valid_from.desc())
        ).first()
        assert pledge is not None
        before = pledge.based_on_id
        pledge.based_on_id = snapshot_id
        session.commit()
        return before


def snapshot_ids(live_server: LiveServer) -> dict[int, int]:
    """Falköping's snapshots of the pledge's period: id by version."""
    with app_session(live_server) as session:
        found = session.scalars(
            select(LagesbildSnapshot).filter_by(
                municipality_id=municipality_id(session),
                period_start=dt.date(2023, 4, 19),
                period_end=dt.date(2023, 12, 31),
            )
        ).all()
        return {snapshot.version: snapshot.id for snapshot in found}


def make_analyst(live_server: LiveServer) -> tuple[Staff, str, str]:
    """An analyst of the demo's police area: the account, the area's slug and name."""
    email = f"{unique('analyst-')}@polisen.example"
    name = f"Analyst {uuid.uuid4().hex[:6]}"
    with app_session(live_server) as session:
        town = session.get(Municipality, municipality_id(session))
        area = session.get(PoliceArea, town.police_area_id)
        account = create_account(
            session,
            NewAccount(
                email=email, name=name, role=Role.ANALYST, police_area_id=area.id, password=PASSWORD
            ),
        )
        session.commit()
        return Staff(account.id, account.email, name, PASSWORD), area.slug, area.name


# --------------------------------------------------------------------------- downloads


def read_csv(path: Path | str) -> list[list[str]]:
    """A downloaded CSV as Excel in Sweden reads it: UTF-8 with a byte order mark, ``;``."""
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8")
    assert text.startswith(BOM), "the CSV has no byte order mark"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def read_xlsx(path: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """A downloaded workbook: the rows of each sheet by the sheet's name."""
    # From the bytes: a download's file has no extension, which openpyxl insists on.
    book = load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True)
    try:
        return {
            sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book
        }
    finally:
        book.close()
