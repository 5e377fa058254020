from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialogue.accounts import passwords
from dialogue.accounts.access import load_scope
from dialogue.accounts.models import Account, Role
from dialogue.accounts.services import (
    NewAccount,
    account_for_password_link,
    authenticate,
    change_password,
    check_second_factor,
    create_account,
    enable_totp,
    password_link_token,
)
from dialogue.audit.models import AuditEvent
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.models import Municipality
from tests.factories import MunicipalityFactory
from tests.helpers import STAFF_PASSWORD, make_staff

KEY = b"k" * 32


def test_passwords_are_hashed_with_argon2id(db_session: Session, moderator: Account) -> None:
    assert moderator.password_hash is not None
    assert moderator.password_hash.startswith("$argon2id$")
    assert STAFF_PASSWORD not in moderator.password_hash


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("kort", "at least 12"),
        ("password1234", "too common"),
        ("qwertyuiop123", "too common"),
        ("anna.berg-hemligt-lösen", "e-mail"),
    ],
)
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    message = passwords.password_problem(password, "anna.berg@falkoping.example")
    assert message is not None and problem in message


def test_unknown_account_and_wrong_password_look_the_same(
    db_session: Session, moderator: Account
) -> None:
    assert authenticate(db_session, "moa@falkoping.example", "fel lösenord här") is None
    assert authenticate(db_session, "ingen@falkoping.example", STAFF_PASSWORD) is None
    assert authenticate(db_session, "MOA@falkoping.example", STAFF_PASSWORD) == moderator


def test_inactive_accounts_cannot_sign_in(db_session: Session, moderator: Account) -> None:
    moderator.is_active = False
    db_session.commit()
    assert authenticate(db_session, moderator.email, STAFF_PASSWORD) is None


def test_roles_need_the_right_scope(db_session: Session, demo: Municipality) -> None:
    with pytest.raises(InvalidInputError):
        create_account(
            db_session,
            NewAccount(email="a@x.example", name="A", role=Role.ANALYST, municipality_id=demo.id),
        )
    with pytest.raises(InvalidInputError):
        create_account(db_session, NewAccount(email="b@x.example", name="B", role=Role.MODERATOR))


def test_duplicate_email_is_refused(db_session: Session, moderator: Account) -> None:
    with pytest.raises(InvalidInputError):
        make_staff(
            db_session,
            "Moa@Falkoping.example",
            "moderator",
            municipality_id=moderator.memberships[0].municipality_id,
        )


def test_scope_of_each_role(db_session: Session, demo: Municipality) -> None:
    neighbour = MunicipalityFactory(police_area=demo.police_area)
    elsewhere = MunicipalityFactory()
    moderator = make_staff(db_session, "m@x.example", "moderator", municipality_id=demo.id)
    admin = make_staff(db_session, "a@x.example", "admin", municipality_id=demo.id)
    analyst = make_staff(db_session, "n@x.example", "analyst", police_area_id=demo.police_area_id)

    mod_scope = load_scope(db_session, moderator)
    assert (
        mod_scope.read == {demo.id} and mod_scope.moderate == {demo.id} and not mod_scope.administer
    )
    assert load_scope(db_session, admin).administer == {demo.id}
    analyst_scope = load_scope(db_session, analyst)
    assert analyst_scope.read == {demo.id, neighbour.id}
    assert not analyst_scope.moderate
    assert elsewhere.id not in analyst_scope.read


def test_creating_an_account_and_granting_a_role_are_audited(
    db_session: Session, moderator: Account
) -> None:
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == moderator.id).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["account.created", "account.role_granted"]


def test_totp_and_recovery_codes(db_session: Session, moderator: Account) -> None:
    secret = pyotp.random_base32()
    with pytest.raises(InvalidInputError):
        enable_totp(db_session, moderator, secret, "000000", KEY)
    previous = pyotp.TOTP(secret).at(time.time() - 30)
    codes = enable_totp(db_session, moderator, secret, previous, KEY)
    assert moderator.has_totp and len(codes) == 10
    assert not check_second_factor(db_session, moderator, previous, KEY), "used to enable"
    assert check_second_factor(db_session, moderator, pyotp.TOTP(secret).now(), KEY)
    assert check_second_factor(db_session, moderator, codes[0], KEY)
    assert not check_second_factor(db_session, moderator, codes[0], KEY), (
        "a recovery code works once"
    )
    assert not check_second_factor(db_session, moderator, "123456", KEY)


def test_a_totp_code_cannot_be_replayed(db_session: Session, moderator: Account) -> None:
    secret = pyotp.random_base32()
    enable_totp(db_session, moderator, secret, pyotp.TOTP(secret).at(time.time() - 30), KEY)
    code = pyotp.TOTP(secret).now()
    assert check_second_factor(db_session, moderator, code, KEY)
    assert not check_second_factor(db_session, moderator, code, KEY), "seen over a shoulder"
    assert not check_second_factor(
        db_session, moderator, pyotp.TOTP(secret).at(time.time() - 30), KEY
    ), "an older code after a newer one"


def test_password_link_works_once(db_session: Session, demo: Municipality) -> None:
    account = create_account(
        db_session,
        NewAccount(email="ny@x.example", name="Ny", role=Role.MODERATOR, municipality_id=demo.id),
    )
    token = password_link_token(KEY, account)
    assert account_for_password_link(db_session, KEY, token) == account
    change_password(db_session, account, "ett nytt och långt lösenord")
    with pytest.raises(NotFoundError):
        account_for_password_link(db_session, KEY, token)
    with pytest.raises(NotFoundError):
        account_for_password_link(db_session, KEY, token + "x")


def test_changing_the_password_ends_other_sessions(db_session: Session, moderator: Account) -> None:
    before = moderator.get_id()
    change_password(db_session, moderator, "ett helt annat långt lösenord")
    assert moderator.get_id() != before


def test_display_names_are_cleaned_of_markup(db_session: Session, demo: Municipality) -> None:
    account = create_account(
        db_session,
        NewAccount(
            email="eve@falkoping.example",
            name="Eve <b>Admin</b> <input autofocus onfocus=alert(1)//",
            role=Role.MODERATOR,
            municipality_id=demo.id,
        ),
    )
    assert account.name == "Eve Admin < input autofocus onfocus=alert(1)//"
