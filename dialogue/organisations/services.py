"""The organisation register of a municipality: list, add, change, verify and delete.

Moderators and administrators of the municipality change the register; everyone who may read
the municipality (analysts too) may read it. Organisation numbers are unique per municipality
and stored as ``NNNNNN-NNNN`` (see :mod:`dialogue.organisations.orgnr`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import column, func, or_, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_moderator, require_reader
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.db import DbSession, commit_retrying, lock_rows
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.organisations import orgnr
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.places.models import Place
from dialogue.records import assign
from dialogue.sanitize import clean_line, has_forbidden_characters

MAX_NAME = 200
MAX_EMAIL = 254
MAX_SEARCH = 100
PAGE_SIZE = 100

# What refers to an organisation: input rounds' invitations and responses. The tables are
# named here, not imported, because rounds builds on organisations and not the reverse.
_INVITATIONS = table("round_invitations", column("organisation_id"))
_RESPONSES = table("round_responses", column("organisation_id"), column("submitted_at"))

# Translated messages are lazy strings; they become text where they are shown.
Message = Any
EMAIL_MESSAGE = _l("Enter a valid e-mail address, like name@example.org, or leave it empty.")


@dataclasses.dataclass(frozen=True)
class OrganisationInput:
    name: str
    type: OrganisationType
    org_number: str
    contact_name: str = ""
    contact_email: str = ""
    place_ids: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True)
class OrganisationFilter:
    type: OrganisationType | None = None
    search: str = ""
    unverified_only: bool = False
    page: int = 1


@dataclasses.dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    responses: int  # submitted answers to input rounds


@dataclasses.dataclass(frozen=True)
class OrganisationList:
    rows: list[OrganisationRow]
    matching: int  # organisations the filter matches, over every page
    total: int  # organisations in the register
    by_type: dict[OrganisationType, int]  # the whole register, whatever the filter
    unverified: int
    page: int
    pages: int


@dataclasses.dataclass(frozen=True)
class OrganisationUsage:
    """What refers to an organisation; one anything refers to cannot be deleted."""

    invitations: int
    responses: int

    @property
    def in_use(self) -> bool:
        return bool(self.invitations or self.responses)


# Reading


def list_organisations(
    session: DbSession,
    municipality_id: int,
    wanted: OrganisationFilter | None = None,
    *,
    scope: Scope,
) -> OrganisationList:
    """One page of the register by name, with counts by type and submitted responses."""
    require_reader(scope, municipality_id)
    wanted = wanted or OrganisationFilter()
    mine = Organisation.municipality_id == municipality_id
    by_type = dict.fromkeys(OrganisationType, 0)
    for kind, count in session.execute(
        select(Organisation.type, func.count()).where(mine).group_by(Organisation.type)
    ):
        by_type[OrganisationType(kind)] = count
    unverified = session.scalar(
        select(func.count()).select_from(Organisation).where(mine, ~Organisation.is_verified)
    )
    conditions = [mine, *_filter_conditions(wanted)]
    matching = session.scalar(select(func.count()).select_from(Organisation).where(*conditions))
    matching = matching or 0
    pages = max(1, -(-matching // PAGE_SIZE))
    page = min(max(1, wanted.page), pages)
    organisations = list(
        session.scalars(
            select(Organisation)
            .where(*conditions)
            .options(selectinload(Organisation.places))
            .order_by(func.lower(Organisation.name), Organisation.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    responses = _response_counts(session, [o.id for o in organisations])
    return OrganisationList(
        rows=[OrganisationRow(o, responses.get(o.id, 0)) for o in organisations],
        matching=matching,
        total=sum(by_type.values()),
        by_type=by_type,
        unverified=unverified or 0,
        page=page,
        pages=pages,
    )


def _filter_conditions(wanted: OrganisationFilter) -> list[Any]:
    conditions: list[Any] = []
    if wanted.type is not None:
        conditions.append(Organisation.type == wanted.type)
    if wanted.unverified_only:
        conditions.append(~Organisation.is_verified)
    search = " ".join(wanted.search.split())[:MAX_SEARCH]
    if search:
        pattern = "%" + _escape_like(search.lower()) + "%"
        matches = [
            func.lower(Organisation.name).like(pattern, escape="\\"),
            func.lower(Organisation.contact_name).like(pattern, escape="\\"),
            func.lower(Organisation.contact_email).like(pattern, escape="\\"),
        ]
        digits = orgnr.digits_only(search)
        if digits and len(digits) >= len(search.replace("-", "").replace(" ", "")):
            # "5560001234" finds "556000-1234", and so does "556000-1234".
            no_hyphen = func.replace(Organisation.org_number, "-", "")
            matches.append(no_hyphen.like(f"%{digits}%"))
        conditions.append(or_(*matches))
    return conditions


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _response_counts(session: DbSession, organisation_ids: list[int]) -> dict[int, int]:
    if not organisation_ids:
        return {}
    responses = _RESPONSES.c
    rows = session.execute(
        select(responses.organisation_id, func.count())
        .where(
            responses.organisation_id.in_(organisation_ids),
            responses.submitted_at.is_not(None),
        )
        .group_by(responses.organisation_id)
    )
    return {int(organisation_id): int(count) for organisation_id, count in rows}


def get_organisation(
    session: DbSession, municipality_id: int, organisation_id: int, *, scope: Scope
) -> Organisation:
    """The organisation with this id in this municipality; NotFoundError for any other."""
    require_reader(scope, municipality_id)
    return _owned(session, municipality_id, organisation_id)


def _owned(session: DbSession, municipality_id: int, organisation_id: int) -> Organisation:
    found = session.get(Organisation, organisation_id)
    if found is None or found.municipality_id != municipality_id:
        raise NotFoundError(organisation_id)
    return found


def organisation_usage(session: DbSession, organisation: Organisation) -> OrganisationUsage:
    invitations = session.scalar(
        select(func.count())
        .select_from(_INVITATIONS)
        .where(_INVITATIONS.c.organisation_id == organisation.id)
    )
    responses = session.scalar(
        select(func.count())
        .select_from(_RESPONSES)
        .where(_RESPONSES.c.organisation_id == organisation.id)
    )
    return OrganisationUsage(invitations or 0, responses or 0)


def list_place_choices(session: DbSession, municipality_id: int) -> list[Place]:
    """The municipality's places an organisation can be linked to, by name."""
    return list(
        session.scalars(
            select(Place).where(Place.municipality_id == municipality_id).order_by(Place.name)
        )
    )


# Changing


def create_organisation(
    session: DbSession,
    municipality_id: int,
    data: OrganisationInput,
    *,
    actor: Account,
    scope: Scope,
) -> Organisation:
    """Add an organisation to the register; InvalidInputError lists every problem at once."""
    require_moderator(scope, municipality_id)
    values, errors = check_values(
        name=data.name,
        type=data.type,
        org_number=data.org_number,
        contact_name=data.contact_name,
        contact_email=data.contact_email,
    )
    places = _places(session, municipality_id, data.place_ids, errors)
    if "org_number" not in errors:
        _check_unique(session, municipality_id, values["org_number"], None, errors)
    if errors:
        raise InvalidInputError(errors)
    organisation = Organisation(municipality_id=municipality_id, places=places, **values)
    session.add(organisation)
    session.flush()
    record(
        session,
        actor.id,
        "organisation.created",
        Target.of("organisation", organisation),
        values=audit_values(organisation),
    )
    _commit(session)
    return organisation


def update_organisation(
    session: DbSession,
    municipality_id: int,
    organisation_id: int,
    data: OrganisationInput,
    *,
    actor: Account,
    scope: Scope,
) -> Organisation:
    require_moderator(scope, municipality_id)
    organisation = _owned(session, municipality_id, organisation_id)
    values, errors = check_values(
        name=data.name,
        type=data.type,
        org_number=data.org_number,
        contact_name=data.contact_name,
        contact_email=data.contact_email,
    )
    places = _places(session, municipality_id, data.place_ids, errors)
    if "org_number" not in errors:
        _check_unique(session, municipality_id, values["org_number"], organisation.id, errors)
    if errors:
        raise InvalidInputError(errors)
    changed = assign(organisation, {**values, "places": places}, audit_values)
    if changed:
        record(
            session,
            actor.id,
            "organisation.updated",
            Target.of("organisation", organisation),
            changes=changed,
        )
    _commit(session)
    return organisation


def set_places(
    session: DbSession,
    municipality_id: int,
    organisation_id: int,
    place_ids: Iterable[int],
    *,
    actor: Account,
    scope: Scope,
) -> Organisation:
    """Where the organisation operates: places of the municipality only."""
    require_moderator(scope, municipality_id)
    organisation = _owned(session, municipality_id, organisation_id)
    errors: dict[str, Message] = {}
    places = _places(session, municipality_id, tuple(place_ids), errors)
    if errors:
        raise InvalidInputError(errors)
    changed = assign(organisation, {"places": places}, audit_values)
    if changed:
        record(
            session,
            actor.id,
            "organisation.updated",
            Target.of("organisation", organisation),
            changes=changed,
        )
    session.commit()
    return organisation


def verify_organisation(
    session: DbSession, municipality_id: int, organisation_id: int, *, actor: Account, scope: Scope
) -> Organisation:
    """Confirm an organisation that named itself on a round's open link."""
    require_moderator(scope, municipality_id)
    organisation = _owned(session, municipality_id, organisation_id)
    if not organisation.is_verified:
        organisation.is_verified = True
        record(
            session,
            actor.id,
            "organisation.verified",
            Target.of("organisation", organisation),
        )
        session.commit()
    return organisation


def delete_organisation(
    session: DbSession, municipality_id: int, organisation_id: int, *, actor: Account, scope: Scope
) -> None:
    """Delete an organisation no round refers to; InvalidInputError says what still does.

    NotFoundError if it is gone, also when someone else deletes it at the same moment.
    """
    require_moderator(scope, municipality_id)
    commit_retrying(
        session, lambda: _delete_organisation(session, municipality_id, organisation_id, actor)
    )


def _delete_organisation(
    session: DbSession, municipality_id: int, organisation_id: int, actor: Account
) -> None:
    # A second delete at the same moment waits here for the first, then finds nothing.
    owned = (Organisation.id == organisation_id, Organisation.municipality_id == municipality_id)
    if not lock_rows(session, Organisation, *owned):
        raise NotFoundError(organisation_id)
    organisation = session.scalars(
        select(Organisation).where(*owned).execution_options(populate_existing=True)
    ).one()
    usage = organisation_usage(session, organisation)
    errors: dict[str, Message] = {}
    if usage.responses:
        errors["responses"] = _l(
            "This organisation has answered an input round, and its answers count in the "
            "results, so it cannot be deleted."
        )
    elif usage.invitations:
        errors["invitations"] = _l(
            "This organisation has been invited to an input round, so it cannot be deleted. "
            "Its invitation link would stop working."
        )
    if errors:
        raise InvalidInputError(errors)
    record(
        session,
        actor.id,
        "organisation.deleted",
        Target.of("organisation", organisation),
        values=audit_values(organisation),
    )
    session.delete(organisation)


# Rules shared with the import


def check_values(
    *,
    name: str,
    type: OrganisationType | None,
    org_number: str,
    contact_name: str,
    contact_email: str,
) -> tuple[dict[str, Any], dict[str, Message]]:
    """Cleaned column values and a translated problem per field (empty if all is well)."""
    errors: dict[str, Message] = {}
    clean_name = clean_line(name)
    if not clean_name:
        errors["name"] = _l("Enter the organisation's name.")
    elif len(clean_name) > MAX_NAME:
        errors["name"] = _l("Use at most %(limit)d characters.", limit=MAX_NAME)
    if type is None:
        errors["type"] = _l("Choose the type of organisation.")
    number = ""
    try:
        number = orgnr.normalize(org_number)
    except orgnr.InvalidOrgNumberError as error:
        errors["org_number"] = orgnr.PROBLEM_MESSAGES[error.problem]
    clean_contact = clean_line(contact_name)
    if len(clean_contact) > MAX_NAME:
        errors["contact_name"] = _l("Use at most %(limit)d characters.", limit=MAX_NAME)
    email = contact_email.strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["contact_email"] = EMAIL_MESSAGE
        else:
            if len(email) > MAX_EMAIL:
                errors["contact_email"] = _l("Use at most %(limit)d characters.", limit=MAX_EMAIL)
    typed = {
        "name": name,
        "org_number": org_number,
        "contact_name": contact_name,
        "contact_email": contact_email,
    }
    for field, text in typed.items():
        if has_forbidden_characters(text):
            errors[field] = _l(
                "The text contains characters that cannot be saved. Remove them and try again."
            )
    values = {
        "name": clean_name,
        "type": type,
        "org_number": number,
        "contact_name": clean_contact or None,
        "contact_email": email or None,
    }
    return values, errors


def _places(
    session: DbSession, municipality_id: int, place_ids: tuple[int, ...], errors: dict[str, Any]
) -> list[Place]:
    wanted = set(place_ids)
    if not wanted:
        return []
    found = list(
        session.scalars(
            select(Place)
            .where(Place.municipality_id == municipality_id, Place.id.in_(wanted))
            .order_by(Place.name)
        )
    )
    if len(found) != len(wanted):
        errors["places"] = _l("Choose places from the list.")
    return found


def _check_unique(
    session: DbSession,
    municipality_id: int,
    number: str,
    organisation_id: int | None,
    errors: dict[str, Message],
) -> None:
    other = session.scalar(
        select(Organisation.name).where(
            Organisation.municipality_id == municipality_id,
            Organisation.org_number == number,
            Organisation.id != (organisation_id or 0),
        )
    )
    if other is not None:
        errors["org_number"] = _l(
            "%(name)s already has this organisation number in the register. "
            "Edit that organisation instead.",
            name=other,
        )


def _commit(session: DbSession) -> None:
    """Commit; an organisation number taken at the same moment by someone else says so."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise InvalidInputError(
            {
                "org_number": _l(
                    "Another organisation got this organisation number while you were "
                    "editing. Check the register and try again."
                )
            }
        ) from error


def audit_values(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "type": OrganisationType(organisation.type).value if organisation.type else None,
        "org_number": organisation.org_number,
        "contact_name": organisation.contact_name,
        "contact_email": organisation.contact_email,
        "place_ids": sorted(place.id for place in organisation.places),
    }
