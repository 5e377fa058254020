"""Template filters for pledges, registered by the app factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dialogue.db import Localized
from dialogue.i18n import PlainLazyString, _l
from dialogue.municipalities.tenancy import current_tenant, local_today
from dialogue.pledges.models import Pledge
from dialogue.pledges.services import PledgeState, pledge_state
from dialogue.records import language_for_reader

STATE_LABELS: dict[PledgeState, PlainLazyString] = {
    PledgeState.DRAFT: _l("Draft"),
    PledgeState.UPCOMING: _l("Upcoming"),
    PledgeState.IN_FORCE: _l("In force"),
    PledgeState.ENDED: _l("Ended"),
    PledgeState.CLOSED: _l("Closed"),
}


def state(pledge: Pledge, today: dt.date | None = None, *, public: bool = False) -> PledgeState:
    """``pledge|pledge_state``: its state on the municipality's today (see ``pledge_state``)."""
    return pledge_state(pledge, today or local_today(), public=public)


def is_past(day: dt.date) -> bool:
    """Whether ``day`` is before the municipality's today."""
    return day < local_today()


def required_first(value: Localized | None) -> list[tuple[str, str]]:
    """A text as (language, text) pairs: the municipality's required language first, even
    when empty (so a page can say it is missing), then every other language that has text."""
    required = current_tenant().default_locale
    others = [(code, text) for code, text in (value or {}).items() if text and code != required]
    return [(required, (value or {}).get(required, "")), *others]


def state_label(value: PledgeState) -> str:
    return str(STATE_LABELS[PledgeState(value)])


FILTERS: dict[str, Callable[..., Any]] = {
    "pledge_state": state,
    "pledge_state_label": state_label,
    "is_past": is_past,
    "required_first": required_first,
    # A language's name as the reader writes it: ``"sv"|language_for_reader`` → "Swedish".
    "language_for_reader": language_for_reader,
}
