"""Made-up sample input for the demo, so its report and public pages have something to show.

Everything here is invented: the texts, progress updates, organisations and their numbers.
The samples are generated from a fixed seed, dated within the demo pledge's validity period
and loaded once (``dialogue demo load --samples``); tests load the demo without them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import secrets
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dialogue.categories.models import Category
from dialogue.db import DbSession
from dialogue.municipalities.models import Municipality
from dialogue.organisations import orgnr
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.places.models import Place
from dialogue.pledges.models import Commitment, Pledge, PledgeStatus, ProgressUpdate
from dialogue.submissions import receipts
from dialogue.submissions.models import (
    ActorKind,
    PartOfDay,
    Status,
    StatusEvent,
    Submission,
    SubmissionKind,
    SubmitterType,
    resident_time,
)
from dialogue.triage.models import Cluster

SAMPLE_KEY_PREFIX = "demo-sample-"
SEED = 2023


@dataclasses.dataclass(frozen=True)
class Theme:
    category: str
    kind: SubmissionKind
    places: tuple[str, ...]
    texts: tuple[str, ...]
    parts: tuple[PartOfDay, ...]
    safety: tuple[int, ...]


THEMES = (
    Theme(
        "MILJO.LIGHT",
        SubmissionKind.CONCERN,
        ("resecentrum", "mosseberg", "dotorp"),
        (
            "Gångvägen är mörk på kvällarna, flera lampor är trasiga.",
            "Det saknas belysning längs stigen, man ser inte vem som kommer.",
        ),
        (PartOfDay.EVENING, PartOfDay.NIGHT),
        (1, 2, 2, 3),
    ),
    Theme(
        "ORDN.DRUGUSE",
        SubmissionKind.CONCERN,
        ("ranten", "stora-torget", "resecentrum"),
        (
            "Det samlas personer som verkar påverkade vid bänkarna på kvällen.",
            "Vi ser ofta sprutor och förpackningar bakom husen.",
        ),
        (PartOfDay.EVENING, PartOfDay.NIGHT),
        (1, 2, 2),
    ),
    Theme(
        "ORDN.YOUTH",
        SubmissionKind.CONCERN,
        ("ranten", "wetterlinsgatan", "stora-torget"),
        (
            "Grupper av ungdomar stör och kastar saker mot förbipasserande.",
            "Det är stökigt utanför butikerna på fredagskvällarna.",
        ),
        (PartOfDay.EVENING,),
        (2, 2, 3),
    ),
    Theme(
        "MILJO.LITTER",
        SubmissionKind.CONCERN,
        ("stora-torget", "centrum", "dotorp"),
        ("Mycket skräp runt papperskorgarna efter helgerna.",),
        (PartOfDay.MORNING, PartOfDay.DAYTIME),
        (3, 4),
    ),
    Theme(
        "TRAF.SPEED",
        SubmissionKind.CONCERN,
        ("wetterlinsgatan", "dotorp"),
        ("Bilar kör alldeles för fort förbi skolan.",),
        (PartOfDay.MORNING, PartOfDay.DAYTIME),
        (2, 3),
    ),
    Theme(
        "DIALOG.IDEA",
        SubmissionKind.SUGGESTION,
        ("ranten", "resecentrum", "mosseberg"),
        (
            "Fler nattvandrare på helgerna skulle göra stor skillnad.",
            "Klipp ner buskarna vid gångtunneln så blir det ljusare.",
        ),
        (PartOfDay.EVENING, PartOfDay.DAYTIME),
        (3, 4),
    ),
    Theme(
        "TRYGG.GOOD",
        SubmissionKind.PRAISE,
        ("stora-torget", "ranten"),
        ("Det har blivit mycket bättre sedan den nya belysningen kom upp.",),
        (PartOfDay.DAYTIME, PartOfDay.EVENING),
        (4, 5),
    ),
)

# Weights of the themes: what residents raise most.
WEIGHTS = (26, 22, 18, 10, 8, 10, 6)

# Made-up progress updates (återkoppling) on the first commitments: (days after the start, sv, en).
PROGRESS = (
    (
        60,
        "Fältassistenter och kommunpolis har varit ute i centrum på fredagskvällarna "
        "i maj och juni.",
        "Field workers and the municipal police officer were out in the centre on Friday "
        "evenings in May and June.",
    ),
    (
        120,
        "Skola, socialtjänst, polis och fritid har följt upp unga med oro i SSPF varannan vecka.",
        "School, social services, police and leisure services followed up young people at risk "
        "in SSPF every other week.",
    ),
    (
        150,
        "Ny belysning är uppsatt längs gångvägen vid resecentrum efter era synpunkter.",
        "New lighting is up along the path by the travel centre after your messages.",
    ),
)

ORGANISATIONS = (
    ("Handlarna i Ranten (exempel)", OrganisationType.BUSINESS, ("ranten",)),
    ("Torgets café (exempel)", OrganisationType.BUSINESS, ("stora-torget",)),
    ("Bostadsbolaget Exempel AB", OrganisationType.HOUSING_COMPANY, ("dotorp", "wetterlinsgatan")),
    ("Idrottsföreningen Exempel", OrganisationType.ASSOCIATION, ("mosseberg",)),
    ("Föräldragruppen i Dotorp (exempel)", OrganisationType.ASSOCIATION, ("dotorp",)),
    ("Nattvandrarna (exempel)", OrganisationType.ASSOCIATION, ("centrum", "ranten")),
)


def load_samples(
    session: DbSession,
    municipality: Municipality,
    count: int = 240,
    *,
    until: dt.date | None = None,
) -> int:
    """Add ``count`` sample submissions and the sample organisations, once; returns how
    many submissions were added (0 when the samples are already there).

    With ``until`` (today, for a demo whose pledge is in force), nothing is dated later.
    """
    already = session.scalar(
        select(Submission.id).where(
            Submission.municipality_id == municipality.id,
            Submission.idempotency_key.startswith(SAMPLE_KEY_PREFIX),
        )
    )
    if already is not None:
        return 0
    pledge = session.scalars(
        select(Pledge)
        .where(Pledge.municipality_id == municipality.id, Pledge.status == PledgeStatus.PUBLISHED)
        .order_by(Pledge.valid_from.desc())
    ).first()
    if pledge is None:
        return 0
    rng = random.Random(SEED)  # noqa: S311 (made-up data, reproducible on purpose)
    _add_organisations(session, municipality)
    last_day = min(pledge.valid_to, until) if until else pledge.valid_to
    _add_progress(session, pledge, last_day)
    context = _Context.load(session, municipality, pledge, last_day)
    for number in range(count):
        session.add(_sample(rng, context, number))
    session.flush()
    _cluster_samples(session, municipality)
    session.commit()
    return count


@dataclasses.dataclass(frozen=True)
class _Context:
    municipality: Municipality
    pledge: Pledge
    categories: dict[str, Category]
    places: dict[str, Place]
    commitments: tuple[Commitment, ...]
    last_day: dt.date

    @classmethod
    def load(
        cls, session: DbSession, municipality: Municipality, pledge: Pledge, last_day: dt.date
    ) -> _Context:
        categories = session.scalars(
            select(Category).where(Category.municipality_id == municipality.id)
        )
        places = session.scalars(select(Place).where(Place.municipality_id == municipality.id))
        return cls(
            municipality,
            pledge,
            {c.code: c for c in categories},
            {p.slug: p for p in places},
            tuple(pledge.commitments),
            last_day,
        )


def _sample(rng: random.Random, context: _Context, number: int) -> Submission:
    theme = rng.choices(THEMES, weights=WEIGHTS)[0]
    category = context.categories[theme.category]
    place = context.places.get(rng.choice(theme.places))
    received = _received_at(rng, context)
    text = rng.choice(theme.texts)
    status = rng.choices(
        (Status.ACCEPTED, Status.NEW, Status.IN_REVIEW, Status.REJECTED), weights=(75, 12, 8, 5)
    )[0]
    commitment = (
        rng.choice(context.commitments) if context.commitments and rng.random() < 0.4 else None
    )
    submission = Submission(
        municipality_id=context.municipality.id,
        reference=receipts.new_reference(),
        receipt_hash=secrets.token_hex(32),  # nobody holds a code for a sample
        idempotency_key=f"{SAMPLE_KEY_PREFIX}{number}",
        kind=theme.kind,
        status=status,
        submitted_category_id=category.id,
        category_id=category.id,
        submitted_place_id=place.id if place else None,
        place_id=place.id if place else None,
        submitted_commitment_id=commitment.id if commitment else None,
        commitment_id=commitment.id if commitment else None,
        occurred_on=received.date() - dt.timedelta(days=rng.randint(0, 6))
        if rng.random() < 0.6
        else None,
        part_of_day=rng.choice(theme.parts) if rng.random() < 0.8 else None,
        is_recurring=rng.random() < 0.5,
        text=text,
        safety_rating=rng.choice(theme.safety) if rng.random() < 0.7 else None,
        submitter_type=rng.choices(tuple(SubmitterType), weights=(70, 10, 8, 12))[0],
        locale="sv",
        is_sensitive=category.is_sensitive,
        created_at=received,
        public_summary=text if status == Status.ACCEPTED else None,
    )
    submission.status_events.append(
        StatusEvent(
            municipality_id=context.municipality.id,
            actor_kind=ActorKind.SUBMITTER,
            to_status=Status.NEW,
            created_at=received,
        )
    )
    if status != Status.NEW:
        submission.status_events.append(
            StatusEvent(
                municipality_id=context.municipality.id,
                actor_kind=ActorKind.SYSTEM,
                from_status=Status.NEW,
                to_status=status,
                reason="Exempeldata" if status == Status.REJECTED else None,
                created_at=received + dt.timedelta(days=1),
            )
        )
    return submission


def _received_at(rng: random.Random, context: _Context) -> dt.datetime:
    zone = ZoneInfo(context.municipality.timezone)
    days = max((context.last_day - context.pledge.valid_from).days, 0)
    day = context.pledge.valid_from + dt.timedelta(days=rng.randint(0, days))
    local = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)), zone)
    return resident_time(local)  # stored to the hour, like a real submission


def _cluster_samples(session: DbSession, municipality: Municipality) -> None:
    """One cluster of the same issue: the dark path at the travel centre."""
    rows = session.scalars(
        select(Submission)
        .join(Place, Submission.place_id == Place.id)
        .join(Category, Submission.category_id == Category.id)
        .where(
            Submission.municipality_id == municipality.id,
            Submission.idempotency_key.startswith(SAMPLE_KEY_PREFIX),
            Place.slug == "resecentrum",
            Category.code == "MILJO.LIGHT",
        )
        .limit(6)
    ).all()
    if len(rows) < 2:
        return
    cluster = Cluster(municipality_id=municipality.id, title="Mörk gångväg vid resecentrum")
    session.add(cluster)
    session.flush()
    for row in rows:
        row.cluster_id = cluster.id


def _add_progress(session: DbSession, pledge: Pledge, last_day: dt.date) -> None:
    for commitment, (days, sv, en) in zip(pledge.commitments, PROGRESS, strict=False):
        if pledge.valid_from + dt.timedelta(days=days) > last_day:
            continue  # not yet written on the demo's today
        session.add(
            ProgressUpdate(
                municipality_id=pledge.municipality_id,
                commitment_id=commitment.id,
                published_on=pledge.valid_from + dt.timedelta(days=days),
                text={"sv": sv, "en": en},
            )
        )


def _add_organisations(session: DbSession, municipality: Municipality) -> None:
    places = {
        p.slug: p
        for p in session.scalars(select(Place).where(Place.municipality_id == municipality.id))
    }
    for index, (name, kind, slugs) in enumerate(ORGANISATIONS):
        session.add(
            Organisation(
                municipality_id=municipality.id,
                name=name,
                type=kind,
                org_number=orgnr.with_check_digit(str(559900000 + index * 7)),
                contact_name="Exempel Kontaktsson",
                contact_email=f"exempel{index + 1}@example.org",
                places=[places[s] for s in slugs if s in places],
            )
        )
