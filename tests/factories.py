"""factory_boy factories; each object is committed (to a savepoint of the test's transaction)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.alchemy import SQLAlchemyModelFactory

from dialogue.extensions import db
from dialogue.models import (
    ActorKind,
    Category,
    Commitment,
    InputRound,
    Municipality,
    Organisation,
    OrganisationType,
    Place,
    PlaceKind,
    Pledge,
    PledgeStatus,
    PoliceArea,
    Question,
    QuestionKind,
    Status,
    StatusEvent,
    Submission,
    SubmissionKind,
    SubmitterType,
)
from dialogue.organisations import orgnr
from dialogue.submissions import receipts


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 (factory_boy wants a callable)
        sqlalchemy_session_persistence = "commit"


class PoliceAreaFactory(BaseFactory):
    class Meta:
        model = PoliceArea

    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Lokalpolisområde {n}")


class MunicipalityFactory(BaseFactory):
    class Meta:
        model = Municipality

    slug = factory.Sequence(lambda n: f"kommun-{n}")
    name = factory.Sequence(lambda n: f"Kommun {n}")
    police_area = factory.SubFactory(PoliceAreaFactory)
    default_locale = "sv"
    timezone = "Europe/Stockholm"


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    municipality_id = factory.LazyAttribute(
        lambda o: o.parent.municipality_id if o.parent else None
    )
    code = factory.Sequence(lambda n: f"CAT.{n}")
    parent = None
    label = factory.LazyAttribute(
        lambda o: {"sv": f"Kategori {o.code}", "en": f"Category {o.code}"}
    )
    is_sensitive = False


class PlaceFactory(BaseFactory):
    class Meta:
        model = Place

    slug = factory.Sequence(lambda n: f"plats-{n}")
    name = factory.Sequence(lambda n: f"Plats {n}")
    kind = PlaceKind.AREA
    aliases = factory.LazyFunction(list)


class PledgeFactory(BaseFactory):
    class Meta:
        model = Pledge

    title = factory.LazyFunction(lambda: {"sv": "Medborgarlöfte", "en": "Citizen pledge"})
    focus = factory.LazyFunction(lambda: {"sv": "Fokus", "en": "Focus"})
    goal = factory.LazyFunction(lambda: {"sv": "Mål", "en": "Goal"})
    valid_from = dt.date(2024, 1, 1)
    valid_to = dt.date(2024, 12, 31)
    status = PledgeStatus.PUBLISHED


class CommitmentFactory(BaseFactory):
    class Meta:
        model = Commitment

    municipality_id = factory.LazyAttribute(lambda o: o.pledge.municipality_id)
    position = factory.Sequence(lambda n: n)
    text = factory.LazyFunction(lambda: {"sv": "Vi lovar", "en": "We promise"})


class SubmissionFactory(BaseFactory):
    """A stored submission; ``code`` is its receipt code (hashed with the test secret)."""

    class Meta:
        model = Submission
        exclude = ("code", "receipt_key")

    code = factory.Sequence(lambda n: f"{n:016d}")
    receipt_key = None
    municipality_id = factory.LazyAttribute(lambda o: o.category.municipality_id)
    reference = factory.LazyFunction(receipts.new_reference)
    receipt_hash = factory.LazyAttribute(lambda o: receipts.hash_code(o.receipt_key, o.code))
    idempotency_key = factory.Sequence(lambda n: f"idem-{n}")
    kind = SubmissionKind.CONCERN
    status = Status.NEW
    submitted_category_id = factory.LazyAttribute(lambda o: o.category.id)
    text = "Det är mörkt i gångtunneln på kvällarna."
    submitter_type = SubmitterType.RESIDENT
    locale = "sv"

    @factory.post_generation
    def history(obj: Submission, create: bool, extracted: object, **kwargs: object) -> None:
        obj.status_events.append(
            StatusEvent(
                municipality_id=obj.municipality_id,
                actor_kind=ActorKind.SUBMITTER,
                to_status=obj.status,
            )
        )


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Förening {n}")
    type = OrganisationType.ASSOCIATION
    # Valid organisation numbers (Luhn check digit over the ten digits).
    org_number = factory.Sequence(lambda n: valid_org_number(802000000 + n))
    contact_name = "Kim Kontakt"
    contact_email = factory.Sequence(lambda n: f"forening{n}@example.org")


def valid_org_number(nine_digits: int) -> str:
    """``NNNNNN-NNNN`` with the check digit that makes the ten digits pass Luhn."""
    return orgnr.with_check_digit(f"{nine_digits:09d}")


class InputRoundFactory(BaseFactory):
    """A draft round (not published); pass ``published_at`` to freeze its questions."""

    class Meta:
        model = InputRound

    title = factory.LazyFunction(
        lambda: {"sv": "Dialog med näringslivet", "en": "Business dialogue"}
    )
    introduction = factory.LazyFunction(
        lambda: {"sv": "Berätta hur det går.", "en": "Tell us how it is going."}
    )
    opens_on = dt.date(2024, 9, 1)
    closes_on = dt.date(2024, 10, 31)


class QuestionFactory(BaseFactory):
    class Meta:
        model = Question

    municipality_id = factory.LazyAttribute(lambda o: o.round.municipality_id)
    position = factory.Sequence(lambda n: n)
    kind = QuestionKind.FREE_TEXT
    text = factory.LazyFunction(
        lambda: {
            "sv": "Vad ska nästa löfte fokusera på?",
            "en": "What should the next pledge focus on?",
        }
    )
