"""Creating accounts, signing in, two-factor enrolment and set-password links."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from dialogue.accounts import passwords, totp
from dialogue.accounts.models import Account, Membership, RecoveryCode, Role, SessionEnd
from dialogue.accounts.sessions import end_all_sessions, start_session
from dialogue.audit.services import Target, record
from dialogue.db import DbSession, utcnow
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.municipalities.models import Municipality, PoliceArea
from dialogue.outbox.mail import compose
from dialogue.outbox.services import enqueue
from dialogue.records import normalize_email
from dialogue.sanitize import clean_line

LINK_MAX_AGE = 3 * 24 * 3600
RESET_LINK_MAX_AGE = 3600
PASSWORD_RESET = "password_reset"  # noqa: S105 (an outbox message kind)


def get_signed_in_account(session: DbSession, account_id: int, version: str) -> Account | None:
    """The active account whose sessions are at ``version`` (a sign-in half done, say)."""
    account = session.get(Account, account_id)
    if account is None or not account.is_active or str(account.session_version) != version:
        return None
    return account


def get_account_by_email(session: DbSession, email: str) -> Account | None:
    return session.scalar(select(Account).where(func.lower(Account.email) == email.lower()))


@dataclasses.dataclass(frozen=True)
class NewAccount:
    """Who the new account is and its one role: here (``municipality_id``) or in a police area."""

    email: str
    name: str
    role: Role
    municipality_id: int | None = None
    police_area_id: int | None = None
    password: str | None = None


def create_account(session: DbSession, data: NewAccount, *, actor_id: int | None = None) -> Account:
    """A new account with one role; without a password it is set through a one-time link."""
    address = normalize_email(data.email)
    if get_account_by_email(session, address) is not None:
        raise InvalidInputError({"email": _l("An account with that e-mail address exists.")})
    if data.password is not None:
        problem = passwords.password_problem(data.password, address)
        if problem:
            raise InvalidInputError({"password": problem})
    account = Account(
        email=address,
        name=clean_line(data.name) or address,
        password_hash=passwords.hash_password(data.password) if data.password else None,
    )
    session.add(account)
    session.flush()
    record(
        session,
        actor_id,
        "account.created",
        Target("account", account.id, data.municipality_id),
        email=address,
        name=account.name,
    )
    grant_role(
        session, account, data.role, data.municipality_id, data.police_area_id, actor_id=actor_id
    )
    session.commit()
    return account


def grant_role(
    session: DbSession,
    account: Account,
    role: Role,
    municipality_id: int | None,
    police_area_id: int | None,
    *,
    actor_id: int | None,
) -> Membership:
    """Give ``account`` a role; analysts need a police area, the others a municipality."""
    if role == Role.ANALYST:
        if police_area_id is None or session.get(PoliceArea, police_area_id) is None:
            raise InvalidInputError({"police_area": _l("Choose the police area.")})
        municipality_id = None
    else:
        if municipality_id is None or session.get(Municipality, municipality_id) is None:
            raise InvalidInputError({"municipality": _l("Choose the municipality.")})
        police_area_id = None
    membership = Membership(
        account=account, role=role, municipality_id=municipality_id, police_area_id=police_area_id
    )
    session.add(membership)
    record(
        session,
        actor_id,
        "account.role_granted",
        Target("account", account.id, municipality_id),
        role=role.value,
        police_area_id=police_area_id,
    )
    return membership


def authenticate(session: DbSession, email: str, password: str) -> Account | None:
    """The active account with this address and password; the same None for every failure."""
    account = get_account_by_email(session, email.strip())
    usable = account is not None and account.is_active
    hashed = account.password_hash if usable and account is not None else None
    if not passwords.verify_password(hashed, password) or account is None:
        return None
    if account.password_hash and passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
        session.commit()
    return account


def record_sign_in(
    session: DbSession, account: Account, key: bytes, idle_limit: dt.timedelta
) -> str:
    """Note the sign-in and start a server-side session; returns the token for the cookie."""
    account.last_login_at = utcnow()
    record(session, account, "account.signed_in", Target("account", account.id, None))
    token = start_session(session, account, key, idle_limit)
    session.commit()
    return token


def check_second_factor(session: DbSession, account: Account, code: str, key: bytes) -> bool:
    """A current TOTP code not used before, or an unused recovery code (then used up).

    The step of the last accepted code is kept, so a code seen over someone's shoulder
    cannot be replayed within its 90-second window.
    """
    step = totp.matching_step(account.totp_secret, code) if account.totp_secret else None
    if step is not None and step > (account.totp_last_step or 0):
        account.totp_last_step = step
        session.commit()
        return True
    wanted = totp.hash_recovery_code(key, code)
    for recovery in account.recovery_codes:
        if recovery.used_at is None and recovery.code_hash == wanted:
            recovery.used_at = utcnow()
            record(
                session, account, "account.recovery_code_used", Target("account", account.id, None)
            )
            session.commit()
            return True
    return False


def enable_totp(
    session: DbSession, account: Account, secret: str, code: str, key: bytes
) -> list[str]:
    """Turn on two-factor sign-in once the person proved the app works; returns recovery codes."""
    step = totp.matching_step(secret, code)
    if step is None:
        raise InvalidInputError({"code": _l("The code is wrong or too old. Try the newest code.")})
    account.totp_secret = secret
    account.totp_last_step = step
    account.totp_enabled_at = utcnow()
    codes = totp.new_recovery_codes()
    account.recovery_codes = [
        RecoveryCode(code_hash=totp.hash_recovery_code(key, c)) for c in codes
    ]
    record(session, account, "account.totp_enabled", Target("account", account.id, None))
    session.commit()
    return codes


def change_password(
    session: DbSession, account: Account, new_password: str, *, keep_session: int | None = None
) -> None:
    """Set a new password and end every session of the account but ``keep_session``.

    Set-password links and half-finished two-factor sign-ins of the old version stop working.
    """
    problem = passwords.password_problem(new_password, account.email)
    if problem:
        raise InvalidInputError({"password": problem})
    account.password_hash = passwords.hash_password(new_password)
    account.session_version += 1
    end_all_sessions(session, account, SessionEnd.PASSWORD_CHANGED, keep=keep_session)
    record(session, account, "account.password_changed", Target("account", account.id, None))
    session.commit()


def password_link_token(key: bytes, account: Account, *, reset: bool = False) -> str:
    """A one-time token for setting the password; spent when the password changes.

    Links an administrator hands over live three days; links a person asks for by e-mail
    (``reset``) one hour.
    """
    payload = {"id": account.id, "v": account.session_version, "reset": reset}
    return URLSafeTimedSerializer(key, salt="set-password").dumps(payload)


def account_for_password_link(
    session: DbSession, key: bytes, token: str, now: dt.datetime | None = None
) -> Account:
    """The account a set-password link belongs to; NotFoundError if forged, old or spent."""
    try:
        payload, signed_at = URLSafeTimedSerializer(key, salt="set-password").loads(
            token, max_age=LINK_MAX_AGE, return_timestamp=True
        )
    except BadSignature as error:
        raise NotFoundError("link") from error
    if not isinstance(payload, dict):
        raise NotFoundError("link")
    age = (now or utcnow()) - signed_at
    if payload.get("reset") and age > dt.timedelta(seconds=RESET_LINK_MAX_AGE):
        raise NotFoundError("link")
    account = session.get(Account, payload.get("id"))
    if account is None or not account.is_active or account.session_version != payload.get("v"):
        raise NotFoundError("link")
    return account


def request_password_reset(
    session: DbSession, email: str, link_for: Callable[[str], str], key: bytes, *, locale: str
) -> bool:
    """E-mail a one-hour set-password link if an active account has this address.

    The caller answers the same whatever this returns, so nobody learns which addresses
    have accounts.
    """
    account = get_account_by_email(session, email.strip())
    if account is None or not account.is_active:
        return False
    link = link_for(password_link_token(key, account, reset=True))
    mail = compose("password_reset", locale, link=link)
    enqueue(
        session,
        municipality_id=None,
        to_address=account.email,
        mail=mail,
        kind=PASSWORD_RESET,
    )
    record(
        session, account, "account.password_reset_requested", Target("account", account.id, None)
    )
    session.commit()
    return True
