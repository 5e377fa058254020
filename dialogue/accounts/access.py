"""Who may see and do what: the scope of an account, computed from its memberships."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.accounts.models import Account, Membership, Role
from dialogue.db import DbSession
from dialogue.errors import NotFoundError, PermissionDeniedError
from dialogue.municipalities.models import Municipality


@dataclasses.dataclass(frozen=True)
class Scope:
    """Municipality ids an account may read, moderate and administer."""

    account_id: int
    read: frozenset[int]
    moderate: frozenset[int]
    administer: frozenset[int]
    police_areas: frozenset[int]
    # A municipality where the account has a role asks for two-factor sign-in.
    totp_required: bool = False

    def can_read(self, municipality_id: int) -> bool:
        return municipality_id in self.read

    def can_moderate(self, municipality_id: int) -> bool:
        return municipality_id in self.moderate

    def can_administer(self, municipality_id: int) -> bool:
        return municipality_id in self.administer

    @property
    def is_empty(self) -> bool:
        return not self.read


def require_reader(scope: Scope, municipality_id: int) -> None:
    """Anyone who may read the municipality; for everyone else it does not exist (404)."""
    if not scope.can_read(municipality_id):
        raise NotFoundError(municipality_id)


def require_moderator(scope: Scope, municipality_id: int) -> None:
    """Moderators and administrators of the municipality: 404 out of sight, 403 read only."""
    require_reader(scope, municipality_id)
    if not scope.can_moderate(municipality_id):
        raise PermissionDeniedError(municipality_id)


def require_admin(scope: Scope, municipality_id: int) -> None:
    """Administrators of the municipality only: 404 out of sight, 403 for other staff."""
    require_reader(scope, municipality_id)
    if not scope.can_administer(municipality_id):
        raise PermissionDeniedError(municipality_id)


def load_scope(session: DbSession, account: Account) -> Scope:
    """The scope of ``account``: analysts read every municipality of their police area."""
    memberships = session.scalars(
        select(Membership)
        .where(Membership.account_id == account.id)
        .options(selectinload(Membership.police_area))
    ).all()
    administer = {m.municipality_id for m in memberships if m.role == Role.ADMIN}
    moderate = administer | {m.municipality_id for m in memberships if m.role == Role.MODERATOR}
    areas = {m.police_area_id for m in memberships if m.role == Role.ANALYST}
    in_areas = set(
        session.scalars(select(Municipality.id).where(Municipality.police_area_id.in_(areas)))
    )
    strict = session.scalar(
        select(Municipality.id)
        .where(Municipality.id.in_(moderate | in_areas), Municipality.require_totp)
        .limit(1)
    )
    return Scope(
        account_id=account.id,
        read=frozenset({i for i in moderate if i is not None} | in_areas),
        moderate=frozenset(i for i in moderate if i is not None),
        administer=frozenset(i for i in administer if i is not None),
        police_areas=frozenset(i for i in areas if i is not None),
        totp_required=strict is not None,
    )


def list_readable_municipalities(session: DbSession, scope: Scope) -> list[Municipality]:
    query = (
        select(Municipality)
        .where(Municipality.id.in_(scope.read))
        .options(selectinload(Municipality.police_area))
        .order_by(Municipality.name)
    )
    return list(session.scalars(query))
