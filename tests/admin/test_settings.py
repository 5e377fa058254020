from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import Municipality
from dialogue.municipalities.settings import SettingsInput, rate_limit_problem, update_settings
from tests.admin.helpers import audit_actions, context_of, last_event
from tests.factories import MunicipalityFactory


def test_settings_are_stored_and_the_change_audited(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    update_settings(
        db_session,
        context_of(as_admin, demo.id),
        SettingsInput(
            small_number_threshold=3,
            submit_rate_limit=" 20 per hour;  100 per day ",
            require_totp=True,
            accent_color="#FFCC00",
            contact_email="Trygghet@Falkoping.SE",
        ),
    )
    assert (
        demo.small_number_threshold,
        demo.submit_rate_limit,
        demo.require_totp,
        demo.accent_color,
        demo.contact_email,
    ) == (3, "20 per hour; 100 per day", True, "#ffcc00", "trygghet@falkoping.se")
    changes = last_event(db_session, "municipality.settings_updated").details["changes"]
    assert changes["small_number_threshold"] == [5, 3]
    assert changes["require_totp"] == [False, True]


def test_empty_values_fall_back_to_the_defaults(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    demo.submit_rate_limit = "5 per hour"
    demo.accent_color = "#123456"
    db_session.commit()
    update_settings(
        db_session, context_of(as_admin, demo.id), SettingsInput(small_number_threshold=5)
    )
    assert (demo.submit_rate_limit, demo.accent_color, demo.contact_email) == (None, None, None)


def test_nothing_changed_writes_no_audit_event(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    update_settings(
        db_session, context_of(as_admin, demo.id), SettingsInput(small_number_threshold=5)
    )
    assert audit_actions(db_session, "municipality") == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (SettingsInput(small_number_threshold=0), "small_number_threshold"),
        (SettingsInput(small_number_threshold=51), "small_number_threshold"),
        (SettingsInput(5, submit_rate_limit="often"), "submit_rate_limit"),
        (SettingsInput(5, submit_rate_limit="20 per fortnight"), "submit_rate_limit"),
        (SettingsInput(5, submit_rate_limit="0 per hour"), "submit_rate_limit"),
        (SettingsInput(5, accent_color="#fc0"), "accent_color"),
        (SettingsInput(5, accent_color="blue"), "accent_color"),
        (SettingsInput(5, contact_email="not an address"), "contact_email"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(
    db_session: Session,
    demo: Municipality,
    as_admin: dict[str, Any],
    data: SettingsInput,
    field: str,
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        update_settings(db_session, context_of(as_admin, demo.id), data)
    assert list(raised.value.errors) == [field]
    assert demo.small_number_threshold == 5


def test_rate_limits_are_read_like_the_limiter_reads_them() -> None:
    for good in ("20 per hour", "20/hour;100/day", "20 per hour, 100 per day", "5 per 10 minutes"):
        assert rate_limit_problem(good) is None, good
    for bad in ("", "per hour", "20 per hour;", "x" * 101):
        assert rate_limit_problem(bad) is not None, bad


def test_settings_of_another_municipality_are_out_of_reach(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any], as_moderator: dict[str, Any]
) -> None:
    other = MunicipalityFactory()
    with pytest.raises(NotFoundError):
        update_settings(db_session, context_of(as_admin, other.id), SettingsInput(3))
    with pytest.raises(PermissionDeniedError):
        update_settings(db_session, context_of(as_moderator, demo.id), SettingsInput(3))
    assert (other.small_number_threshold, demo.small_number_threshold) == (5, 5)
