"""Organisations that name themselves: someone answering a round's open link gives the name
and number of their organisation, which is found in the register or added to it unverified.

A moderator later verifies such an organisation (see ``services.verify_organisation``). The
caller adds what it needs around the organisation and commits.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _, _l
from dialogue.organisations import orgnr
from dialogue.organisations.models import Organisation, OrganisationType
from dialogue.sanitize import clean_line

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254


@dataclasses.dataclass(frozen=True)
class OrganisationDetails:
    """What a person types to answer for their organisation."""

    name: str
    type: OrganisationType
    org_number: str
    contact_name: str = ""
    contact_email: str = ""


@dataclasses.dataclass(frozen=True)
class Registration:
    """The organisation named (``is_new`` if added just now), and the person's contact."""

    organisation: Organisation
    is_new: bool
    name: str
    contact_name: str | None
    contact_email: str | None


def register_unverified(
    session: DbSession, municipality_id: int, details: OrganisationDetails
) -> Registration:
    """The register's organisation with this number, else a new unverified one (added to the
    session, not committed); InvalidInputError names each wrong detail."""
    name, number, contact_name, contact_email = check_details(details)
    organisation = session.scalar(
        select(Organisation).where(
            Organisation.municipality_id == municipality_id,
            Organisation.org_number == number,
        )
    )
    is_new = organisation is None
    if organisation is None:
        organisation = Organisation(
            municipality_id=municipality_id,
            name=name,
            type=details.type,
            org_number=number,
            contact_name=contact_name,
            contact_email=contact_email,
            is_verified=False,
        )
        session.add(organisation)
    return Registration(organisation, is_new, name, contact_name, contact_email)


def check_details(details: OrganisationDetails) -> tuple[str, str, str | None, str | None]:
    """(name, organisation number, contact name, contact e-mail), cleaned."""
    errors: dict[str, str] = {}
    name = clean_line(details.name)
    if not name:
        errors["name"] = str(_l("Enter the name of your organisation."))
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("Use at most %(limit)d characters.", limit=MAX_NAME_LENGTH)
    number = ""
    try:
        number = orgnr.normalize(details.org_number)
    except orgnr.InvalidOrgNumberError as error:
        errors["org_number"] = error.message
    contact_name = clean_line(details.contact_name)
    if len(contact_name) > MAX_NAME_LENGTH:
        errors["contact_name"] = _("Use at most %(limit)d characters.", limit=MAX_NAME_LENGTH)
    contact_email = details.contact_email.strip()
    if contact_email and (
        len(contact_email) > MAX_EMAIL_LENGTH
        or "@" not in contact_email.strip("@")
        or any(char.isspace() for char in contact_email)
    ):
        errors["contact_email"] = str(
            _l("Enter an e-mail address in the right format, like name@example.se.")
        )
    if errors:
        raise InvalidInputError(errors)
    return name, number, contact_name or None, contact_email or None
