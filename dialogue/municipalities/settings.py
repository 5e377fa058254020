"""The municipality's own settings: small-number threshold, submit limit, two-factor, look."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from limits import parse_many

from dialogue.audit.services import Target, record
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.municipalities.models import Municipality
from dialogue.records import assign, normalize_email

if TYPE_CHECKING:  # municipalities sit below accounts: the acting context is passed in
    from dialogue.accounts.context import Context

MIN_THRESHOLD = 1
MAX_THRESHOLD = 50
MAX_RATE_LIMIT = 100
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclasses.dataclass(frozen=True)
class SettingsInput:
    small_number_threshold: int
    submit_rate_limit: str = ""  # empty: the service-wide default
    require_totp: bool = False
    accent_color: str = ""  # empty: the default colour
    contact_email: str = ""


def get_settings(session: DbSession, ctx: Context) -> Municipality:
    """The municipality whose settings an administrator edits."""
    ctx.require_admin()
    return _municipality(session, ctx.municipality_id)


def update_settings(session: DbSession, ctx: Context, data: SettingsInput) -> Municipality:
    """Store the settings; every problem is reported at once and nothing is changed."""
    ctx.require_admin()
    municipality_id = ctx.municipality_id
    municipality = _municipality(session, municipality_id)
    values = _checked(data)
    changed = assign(municipality, values, _values)
    if changed:
        record(
            session,
            ctx.actor.id,
            "municipality.settings_updated",
            Target("municipality", municipality_id, municipality_id),
            changes=changed,
        )
    session.commit()
    return municipality


def _municipality(session: DbSession, municipality_id: int) -> Municipality:
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFoundError(municipality_id)
    return municipality


def rate_limit_problem(value: str) -> Any:
    """Why ``value`` is not a usable limit such as ``20 per hour;100 per day``, or None."""
    if len(value) > MAX_RATE_LIMIT:
        return _l("Use at most %(limit)d characters.", limit=MAX_RATE_LIMIT)
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if not items or any(item.amount < 1 for item in items):
        return _l(
            "Write the limit as a number of times per period, like “20 per hour”. "
            "Separate several limits with a semicolon."
        )
    return None


def _checked(data: SettingsInput) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if not MIN_THRESHOLD <= data.small_number_threshold <= MAX_THRESHOLD:
        errors["small_number_threshold"] = _l(
            "Give a whole number from %(low)d to %(high)d.", low=MIN_THRESHOLD, high=MAX_THRESHOLD
        )
    limit = " ".join(data.submit_rate_limit.split())
    problem = rate_limit_problem(limit) if limit else None
    if problem:
        errors["submit_rate_limit"] = problem
    color = data.accent_color.strip()
    if color and not COLOR.match(color):
        errors["accent_color"] = _l(
            "Give the colour as # and six hexadecimal digits, like #1d4f91."
        )
    email = data.contact_email.strip()
    if email:
        try:
            email = normalize_email(email)
        except InvalidInputError as error:
            errors["contact_email"] = error.errors["email"]
    if errors:
        raise InvalidInputError(errors)
    return {
        "small_number_threshold": data.small_number_threshold,
        "submit_rate_limit": limit or None,
        "require_totp": data.require_totp,
        "accent_color": color.lower() or None,
        "contact_email": email or None,
    }


def _values(municipality: Municipality) -> dict[str, Any]:
    return {
        "small_number_threshold": municipality.small_number_threshold,
        "submit_rate_limit": municipality.submit_rate_limit,
        "require_totp": municipality.require_totp,
        "accent_color": municipality.accent_color,
        "contact_email": municipality.contact_email,
    }
