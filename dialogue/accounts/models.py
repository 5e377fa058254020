"""Staff accounts and their roles per municipality or police area."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.db import Base, created_at, intpk
from dialogue.municipalities.models import Municipality, PoliceArea


class Role(StrEnum):
    MODERATOR = "moderator"  # triages the submissions of one municipality
    ADMIN = "admin"  # administers one municipality, and moderates it
    ANALYST = "analyst"  # reads every municipality of one police area


class Account(Base):
    """A member of staff. ``get_id`` carries the session version (see Flask-Login)."""

    __tablename__ = "accounts"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None]
    # The 30-second step of the last accepted code: a code is good once.
    totp_last_step: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes or all sessions are ended: older sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    preferred_locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[created_at]
    last_login_at: Mapped[dt.datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None

    # Flask-Login's user interface; a session is valid only for the current session_version.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Membership(Base):
    """A role in exactly one municipality, or (analysts) in exactly one police area."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("(municipality_id IS NULL) <> (police_area_id IS NULL)", name="one_scope"),
        UniqueConstraint("account_id", "municipality_id", "police_area_id", "role"),
    )

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role]
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    police_area_id: Mapped[int | None] = mapped_column(ForeignKey("police_areas.id"), index=True)
    created_at: Mapped[created_at]

    account: Mapped[Account] = relationship(back_populates="memberships")
    municipality: Mapped[Municipality | None] = relationship()
    police_area: Mapped[PoliceArea | None] = relationship()


class SessionEnd(StrEnum):
    """Why a staff session ended."""

    SIGNED_OUT = "signed_out"
    IDLE = "idle"  # no request for longer than the idle limit
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)
    DEACTIVATED = "deactivated"
    ROLES_REMOVED = "roles_removed"  # the account has no role left anywhere


class StaffSession(Base):
    """A signed-in browser: the signed cookie names it by a random token, stored here hashed.

    A request is accepted only while the row is not ended and was seen within the idle limit
    (see ``dialogue.accounts.sessions``), so a copied cookie stops working at sign-out.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # HMAC-SHA256 of the token under a key derived from the secret key; the token itself
    # lives only in the person's cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    last_seen_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[SessionEnd | None]

    account: Mapped[Account] = relationship()


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]

    account: Mapped[Account] = relationship(back_populates="recovery_codes")
