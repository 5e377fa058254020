"""Who works in the municipality: accounts and their roles here.

Administrators grant and remove moderator and administrator roles in their own municipality
only. An account is deactivated only when this municipality is the only place it has a role;
otherwise its roles here are removed and it keeps working elsewhere.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.accounts.access import Scope, require_admin
from dialogue.accounts.models import Account, Membership, Role, SessionEnd
from dialogue.accounts.services import NewAccount, create_account, get_account_by_email, grant_role
from dialogue.accounts.sessions import end_all_sessions
from dialogue.audit.services import Target, record
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.records import normalize_email

LOCAL_ROLES = (Role.MODERATOR, Role.ADMIN)


@dataclasses.dataclass(frozen=True)
class Member:
    """An account with its roles in this municipality."""

    account: Account
    memberships: tuple[Membership, ...]
    has_roles_elsewhere: bool

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(m.role for m in self.memberships)


def list_members(session: DbSession, municipality_id: int, *, scope: Scope) -> list[Member]:
    """Every account with a role here, by name."""
    require_admin(scope, municipality_id)
    accounts = session.scalars(
        select(Account)
        .where(Account.memberships.any(Membership.municipality_id == municipality_id))
        .options(selectinload(Account.memberships))
        .order_by(Account.name, Account.email)
    )
    return [_member(account, municipality_id) for account in accounts]


def _member(account: Account, municipality_id: int) -> Member:
    here = tuple(
        sorted(
            (m for m in account.memberships if m.municipality_id == municipality_id),
            key=lambda m: LOCAL_ROLES.index(m.role) if m.role in LOCAL_ROLES else len(LOCAL_ROLES),
        )
    )
    return Member(account, here, len(here) < len(account.memberships))


@dataclasses.dataclass(frozen=True)
class NewMember:
    """A new account as typed: who, and their one role here."""

    email: str
    name: str
    role: Role


def create_member(
    session: DbSession, municipality_id: int, data: NewMember, *, actor: Account, scope: Scope
) -> Account:
    """A new account with one role here; its password is set through a one-time link."""
    require_admin(scope, municipality_id)
    _require_local_role(data.role)
    return create_account(
        session,
        NewAccount(
            email=data.email, name=data.name, role=data.role, municipality_id=municipality_id
        ),
        actor_id=actor.id,
    )


def add_member(
    session: DbSession,
    municipality_id: int,
    *,
    email: str,
    role: Role,
    actor: Account,
    scope: Scope,
) -> Membership:
    """Give an existing account a role here; a deactivated account becomes active again."""
    require_admin(scope, municipality_id)
    _require_local_role(role)
    account = get_account_by_email(session, normalize_email(email))
    if account is None:
        raise InvalidInputError(
            {"email": _l("No account has this e-mail address. Create a new account instead.")}
        )
    if any(m.municipality_id == municipality_id and m.role == role for m in account.memberships):
        raise InvalidInputError({"role": _l("The account already has this role here.")})
    if not account.is_active:
        account.is_active = True
        record(
            session, actor.id, "account.reactivated", Target("account", account.id, municipality_id)
        )
    membership = grant_role(session, account, role, municipality_id, None, actor_id=actor.id)
    session.commit()
    return membership


@dataclasses.dataclass(frozen=True)
class RoleRemoval:
    """What removing one role here does, for the page that asks first."""

    membership: Membership
    last_here: bool  # the account leaves this municipality's list
    last_anywhere: bool  # the account has no role left and is signed out everywhere

    @property
    def account(self) -> Account:
        return self.membership.account


def preview_role_removal(
    session: DbSession, municipality_id: int, membership_id: int, *, actor: Account, scope: Scope
) -> RoleRemoval:
    """What removing this role would do; the same refusals as ``remove_role``."""
    require_admin(scope, municipality_id)
    membership = _removable_membership(session, municipality_id, membership_id, actor)
    others = [m for m in membership.account.memberships if m.id != membership.id]
    return RoleRemoval(
        membership,
        last_here=not any(m.municipality_id == municipality_id for m in others),
        last_anywhere=not others,
    )


def _removable_membership(
    session: DbSession, municipality_id: int, membership_id: int, actor: Account
) -> Membership:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.municipality_id != municipality_id:
        raise NotFoundError(membership_id)
    if membership.account_id == actor.id and membership.role == Role.ADMIN:
        raise InvalidInputError(
            {
                "membership": _l(
                    "You cannot remove your own administrator role. "
                    "Ask another administrator to do it."
                )
            }
        )
    return membership


def remove_role(
    session: DbSession, municipality_id: int, membership_id: int, *, actor: Account, scope: Scope
) -> tuple[Account, Role]:
    """Take a role here away; nobody removes their own administrator role.

    An account left without any role anywhere is signed out everywhere.
    """
    require_admin(scope, municipality_id)
    membership = _removable_membership(session, municipality_id, membership_id, actor)
    account, role = membership.account, membership.role
    record(
        session,
        actor.id,
        "account.role_removed",
        Target("account", account.id, municipality_id),
        role=role.value,
    )
    session.delete(membership)
    session.flush()
    session.refresh(account, ["memberships"])
    if not account.memberships:
        end_all_sessions(session, account, SessionEnd.ROLES_REMOVED)
    session.commit()
    return account, role


def get_member_to_deactivate(
    session: DbSession, municipality_id: int, account_id: int, *, actor: Account, scope: Scope
) -> Member:
    """The account and its roles here, for the page that asks before deactivating it."""
    require_admin(scope, municipality_id)
    return _deactivatable(session, municipality_id, account_id, actor)


def _deactivatable(
    session: DbSession, municipality_id: int, account_id: int, actor: Account
) -> Member:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(account_id)
    member = _member(account, municipality_id)
    if not member.memberships:
        raise NotFoundError(account_id)
    if account.id == actor.id:
        raise InvalidInputError({"account": _l("You cannot deactivate your own account.")})
    return member


def deactivate_member(
    session: DbSession, municipality_id: int, account_id: int, *, actor: Account, scope: Scope
) -> Account:
    """Remove every role here and, if the account has no role elsewhere, deactivate it.

    ``is_active`` of the account returned tells which happened. Either way its access here
    ends with its next request: the scope is read afresh for every request, and a deactivated
    account's sessions are ended.
    """
    require_admin(scope, municipality_id)
    member = _deactivatable(session, municipality_id, account_id, actor)
    account = member.account
    roles = sorted(m.role.value for m in member.memberships)
    for membership in member.memberships:
        session.delete(membership)
    if member.has_roles_elsewhere:
        record(
            session,
            actor.id,
            "account.role_removed",
            Target("account", account.id, municipality_id),
            roles=roles,
        )
    else:
        account.is_active = False
        account.session_version += 1
        end_all_sessions(session, account, SessionEnd.DEACTIVATED)
        record(
            session,
            actor.id,
            "account.deactivated",
            Target("account", account.id, municipality_id),
            roles=roles,
        )
    session.commit()
    return account


def _require_local_role(role: Role) -> None:
    if role not in LOCAL_ROLES:
        raise InvalidInputError({"role": _l("Choose moderator or administrator.")})
