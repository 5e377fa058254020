from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts.administration import (
    NewMember,
    add_member,
    create_member,
    deactivate_member,
    list_members,
    remove_role,
)
from dialogue.accounts.models import Account, Membership, Role
from dialogue.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from dialogue.models import Municipality
from tests.admin.helpers import last_event
from tests.factories import MunicipalityFactory
from tests.helpers import make_staff


def role_here(account: Account, municipality: Municipality, role: Role) -> Membership:
    return next(
        m for m in account.memberships if m.municipality_id == municipality.id and m.role == role
    )


def test_a_new_account_gets_a_role_here_and_no_password(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    account = create_member(
        db_session,
        demo.id,
        NewMember(email="Ny.Moderator@Falkoping.example", name="Ny Moderator", role=Role.MODERATOR),
        **as_admin,
    )
    assert (account.email, account.password_hash) == ("ny.moderator@falkoping.example", None)
    assert [(m.role, m.municipality_id) for m in account.memberships] == [(Role.MODERATOR, demo.id)]
    event = last_event(db_session, "account.role_granted")
    assert (event.object_id, event.actor_id, event.municipality_id) == (
        account.id,
        as_admin["actor"].id,
        demo.id,
    )


def test_administrators_grant_only_roles_of_their_municipality(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        create_member(
            db_session,
            demo.id,
            NewMember(email="a@x.example", name="A", role=Role.ANALYST),
            **as_admin,
        )
    assert list(raised.value.errors) == ["role"]
    with pytest.raises(NotFoundError):
        create_member(
            db_session,
            MunicipalityFactory().id,
            NewMember(email="b@x.example", name="B", role=Role.MODERATOR),
            **as_admin,
        )
    assert db_session.scalars(select(Account).filter_by(email="b@x.example")).first() is None


def test_an_existing_account_is_given_a_role_here_once(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    other = MunicipalityFactory()
    person = make_staff(db_session, "per@grannkommun.example", "admin", municipality_id=other.id)
    add_member(
        db_session, demo.id, email=" PER@grannkommun.example ", role=Role.MODERATOR, **as_admin
    )
    assert {(m.municipality_id, m.role) for m in person.memberships} == {
        (other.id, Role.ADMIN),
        (demo.id, Role.MODERATOR),
    }
    with pytest.raises(InvalidInputError) as raised:
        add_member(db_session, demo.id, email=person.email, role=Role.MODERATOR, **as_admin)
    assert list(raised.value.errors) == ["role"]
    with pytest.raises(InvalidInputError) as raised:
        add_member(db_session, demo.id, email="ingen@x.example", role=Role.MODERATOR, **as_admin)
    assert list(raised.value.errors) == ["email"]


def test_members_are_listed_with_their_roles_here_only(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any], moderator: Account
) -> None:
    other = MunicipalityFactory()
    elsewhere = make_staff(db_session, "bo@x.example", "admin", municipality_id=other.id)
    add_member(db_session, demo.id, email=elsewhere.email, role=Role.MODERATOR, **as_admin)
    members = {
        m.account.email: m for m in list_members(db_session, demo.id, scope=as_admin["scope"])
    }
    assert set(members) == {"ada@falkoping.example", "moa@falkoping.example", "bo@x.example"}
    assert members["bo@x.example"].roles == {Role.MODERATOR}
    assert members["bo@x.example"].has_roles_elsewhere
    assert not members["moa@falkoping.example"].has_roles_elsewhere


def test_a_role_is_removed_and_audited(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any], moderator: Account
) -> None:
    membership = role_here(moderator, demo, Role.MODERATOR)
    remove_role(db_session, demo.id, membership.id, **as_admin)
    assert moderator.memberships == []
    assert moderator.is_active
    assert last_event(db_session, "account.role_removed").details == {"role": "moderator"}


def test_an_administrator_cannot_remove_their_own_administrator_role(
    db_session: Session, demo: Municipality, administrator: Account, as_admin: dict[str, Any]
) -> None:
    own = role_here(administrator, demo, Role.ADMIN)
    with pytest.raises(InvalidInputError):
        remove_role(db_session, demo.id, own.id, **as_admin)
    assert db_session.get(Membership, own.id) is not None
    add_member(db_session, demo.id, email=administrator.email, role=Role.MODERATOR, **as_admin)
    remove_role(db_session, demo.id, role_here(administrator, demo, Role.MODERATOR).id, **as_admin)
    assert [m.role for m in administrator.memberships] == [Role.ADMIN]


def test_another_administrator_can_be_removed(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    second = make_staff(db_session, "eva@falkoping.example", "admin", municipality_id=demo.id)
    remove_role(db_session, demo.id, role_here(second, demo, Role.ADMIN).id, **as_admin)
    assert second.memberships == []


def test_an_account_with_roles_here_only_is_deactivated(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any], moderator: Account
) -> None:
    version = moderator.session_version
    result = deactivate_member(db_session, demo.id, moderator.id, **as_admin)
    assert result is moderator
    assert (moderator.is_active, moderator.memberships) == (False, [])
    assert moderator.session_version == version + 1
    assert last_event(db_session, "account.deactivated").details == {"roles": ["moderator"]}


def test_an_account_with_roles_elsewhere_only_loses_its_roles_here(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    other = MunicipalityFactory()
    person = make_staff(db_session, "per@grannkommun.example", "admin", municipality_id=other.id)
    add_member(db_session, demo.id, email=person.email, role=Role.MODERATOR, **as_admin)
    deactivate_member(db_session, demo.id, person.id, **as_admin)
    assert person.is_active
    assert [(m.municipality_id, m.role) for m in person.memberships] == [(other.id, Role.ADMIN)]


def test_a_deactivated_account_given_a_role_again_is_active_again(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any], moderator: Account
) -> None:
    deactivate_member(db_session, demo.id, moderator.id, **as_admin)
    add_member(db_session, demo.id, email=moderator.email, role=Role.MODERATOR, **as_admin)
    assert moderator.is_active
    assert last_event(db_session, "account.reactivated").object_id == moderator.id


def test_administrators_do_not_deactivate_themselves(
    db_session: Session, demo: Municipality, administrator: Account, as_admin: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError):
        deactivate_member(db_session, demo.id, administrator.id, **as_admin)
    assert administrator.is_active


def test_accounts_and_roles_of_another_municipality_are_not_found(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    other = MunicipalityFactory()
    stranger = make_staff(db_session, "x@y.example", "moderator", municipality_id=other.id)
    with pytest.raises(NotFoundError):
        remove_role(db_session, demo.id, stranger.memberships[0].id, **as_admin)
    with pytest.raises(NotFoundError):
        deactivate_member(db_session, demo.id, stranger.id, **as_admin)
    assert stranger.is_active
    assert len(stranger.memberships) == 1


def test_moderators_may_not_manage_accounts(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDeniedError):
        create_member(
            db_session,
            demo.id,
            NewMember(email="n@x.example", name="N", role=Role.ADMIN),
            **as_moderator,
        )
