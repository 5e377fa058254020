"""Loading a municipality's data: the default taxonomy and the Falköping demo.

Loading is idempotent: every record is found by its natural key (slug, code, position) and
updated in place, so running it twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from importlib import resources
from typing import Any, TypeVar

from sqlalchemy import select

from dialogue.accounts.models import Account, Role
from dialogue.accounts.services import NewAccount, create_account, get_account_by_email
from dialogue.categories.models import Category, Route
from dialogue.db import DbSession
from dialogue.municipalities.models import Municipality, PoliceArea
from dialogue.places.models import Place, PlaceKind
from dialogue.pledges.models import Commitment, Initiative, Pledge, PledgeStatus
from dialogue.records import normalize_email

M = TypeVar("M")
DEMO_FILE = "demo-falkoping.json"
CATEGORIES_FILE = "categories.csv"
# The demo administrator `dialogue demo admin` makes (the .example domain receives no mail).
DEMO_ADMIN = "admin@falkoping.example"
CATEGORY_COLUMNS = ["code", "parent", "label_sv", "label_en", "default_route", "is_sensitive"]


def read_data_file(name: str) -> str:
    return resources.files("dialogue.data").joinpath(name).read_text(encoding="utf-8")


def load_demo(
    session: DbSession,
    demo: dict[str, Any] | None = None,
    categories_csv: str | None = None,
    *,
    today: dt.date | None = None,
) -> Municipality:
    """Load the demo municipality with its pledge, places and the default categories.

    With ``today``, the pledge's dates move by whole years so that it is in force that day
    (a fresh demo shows a current pledge); without, they are the data file's own.
    """
    demo = demo or json.loads(read_data_file(DEMO_FILE))
    area = _upsert(session, PoliceArea, slug=demo["police_area"]["slug"])
    area.name = demo["police_area"]["name"]
    spec = demo["municipality"]
    municipality = _upsert(session, Municipality, slug=spec["slug"])
    municipality.name = spec["name"]
    municipality.police_area = area
    municipality.default_locale = spec.get("default_locale", "sv")
    municipality.timezone = spec.get("timezone", "Europe/Stockholm")
    session.flush()
    load_categories(session, municipality, categories_csv or read_data_file(CATEGORIES_FILE))
    places = _load_places(session, municipality, demo["places"])
    _load_pledge(session, municipality, demo["pledge"], places, today)
    session.commit()
    return municipality


def load_demo_municipality(session: DbSession) -> Municipality | None:
    """The demo municipality, if ``load_demo`` has run."""
    slug = json.loads(read_data_file(DEMO_FILE))["municipality"]["slug"]
    return session.scalar(select(Municipality).where(Municipality.slug == slug))


def ensure_demo_administrator(
    session: DbSession, municipality: Municipality, email: str
) -> Account:
    """The demo's administrator: made on first call (without a password), found afterwards."""
    account = get_account_by_email(session, normalize_email(email))
    if account is None:
        account = create_account(
            session,
            NewAccount(
                email=email,
                name="Demo administrator",
                role=Role.ADMIN,
                municipality_id=municipality.id,
            ),
        )
    return account


def load_categories(session: DbSession, municipality: Municipality, text: str) -> list[Category]:
    """Create or update a municipality's categories from the taxonomy CSV."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != CATEGORY_COLUMNS:
        raise ValueError(f"categories CSV must have the columns {', '.join(CATEGORY_COLUMNS)}")
    by_code: dict[str, Category] = {}
    for position, row in enumerate(reader):
        category = _upsert(session, Category, municipality_id=municipality.id, code=row["code"])
        category.parent = by_code[row["parent"]] if row["parent"] else None
        category.label = {"sv": row["label_sv"], "en": row["label_en"]}
        category.default_route = Route(row["default_route"]) if row["default_route"] else None
        category.is_sensitive = row["is_sensitive"].strip().lower() == "true"
        category.position = position
        by_code[row["code"]] = category
    session.flush()
    return list(by_code.values())


def _load_places(
    session: DbSession, municipality: Municipality, specs: list[dict[str, Any]]
) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for spec in specs:
        place = _upsert(session, Place, municipality_id=municipality.id, slug=spec["slug"])
        place.name = spec["name"]
        place.kind = PlaceKind(spec["kind"])
        place.aliases = list(spec.get("aliases", []))
        place.latitude = spec.get("lat")
        place.longitude = spec.get("lon")
        place.parent = places[spec["parent"]] if spec.get("parent") else None
        places[spec["slug"]] = place
    session.flush()
    return places


def in_force_on(valid_from: dt.date, valid_to: dt.date, today: dt.date) -> tuple[int, dt.date]:
    """How many years to move a validity so that it has begun by ``today``, and its new end:
    the moved end, or the end of ``today``'s year if the moved validity is already over."""
    years = today.year - valid_from.year
    if _years_later(valid_from, years) > today:
        years -= 1
    end = _years_later(valid_to, years)
    return years, max(end, dt.date(today.year, 12, 31)) if end < today else end


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _load_pledge(
    session: DbSession,
    municipality: Municipality,
    spec: dict[str, Any],
    places: dict[str, Place],
    today: dt.date | None,
) -> Pledge:
    valid_from = dt.date.fromisoformat(spec["valid_from"])
    valid_to = dt.date.fromisoformat(spec["valid_to"])
    signed_on = dt.date.fromisoformat(spec["signed_on"]) if spec.get("signed_on") else None
    if today is not None:
        years, valid_to = in_force_on(valid_from, valid_to, today)
        valid_from = _years_later(valid_from, years)
        signed_on = _years_later(signed_on, years) if signed_on else None
    pledge = _upsert(session, Pledge, municipality_id=municipality.id, valid_from=valid_from)
    pledge.title = _localized(spec, "title")
    if today is not None:  # "Medborgarlöftet för 2023" names the year it is in force
        year, moved = str(dt.date.fromisoformat(spec["valid_from"]).year), str(valid_from.year)
        pledge.title = {locale: text.replace(year, moved) for locale, text in pledge.title.items()}
    pledge.focus = _localized(spec, "focus")
    pledge.goal = _localized(spec, "goal")
    pledge.sources = [{"sv": source} for source in spec.get("sources_sv", [])]
    pledge.signatories = [
        {"name": s["name"], "role": _localized(s, "role")} for s in spec.get("signatories", [])
    ]
    pledge.valid_to = valid_to
    pledge.signed_on = signed_on
    pledge.status = PledgeStatus.PUBLISHED
    session.flush()
    for position, item in enumerate(spec.get("commitments", []), start=1):
        commitment = _upsert(
            session,
            Commitment,
            municipality_id=municipality.id,
            pledge_id=pledge.id,
            position=position,
        )
        commitment.text = _localized(item, "text")
    for position, item in enumerate(spec.get("initiatives", []), start=1):
        initiative = _upsert(
            session,
            Initiative,
            municipality_id=municipality.id,
            pledge_id=pledge.id,
            position=position,
        )
        initiative.name = {"sv": item["name"]}
        initiative.places = [places[slug] for slug in item.get("places", [])]
    session.flush()
    return pledge


def _localized(spec: dict[str, Any], field: str) -> dict[str, str]:
    return {
        locale: spec[f"{field}_{locale}"]
        for locale in ("sv", "en")
        if spec.get(f"{field}_{locale}")
    }


def _upsert(session: DbSession, model: type[M], **key: Any) -> M:
    instance = session.scalar(select(model).filter_by(**key))
    if instance is None:
        instance = model(**key)
        session.add(instance)
    return instance
