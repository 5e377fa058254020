"""Keep a form that arrived after its author's session ended; give it back once, then forget it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from dialogue.db import DbSession, utcnow
from dialogue.drafts.models import KeptDraft
from dialogue.web.forms import FORM_NAME_FIELD

if TYPE_CHECKING:
    from dialogue.accounts.models import Account

KEEP_FOR = dt.timedelta(hours=1)
# Never kept: the CSRF token is spent, and secrets do not belong in a table of drafts.
SECRET_MARKERS = ("password", "csrf", "secret", "token", "totp", "recovery")
MAX_FIELDS = 200


@dataclasses.dataclass(frozen=True)
class Draft:
    """A kept draft as a page restores it."""

    id: int
    page_path: str
    form_name: str | None
    fields: list[tuple[str, str]]

    def names(self) -> set[str]:
        return {name for name, _value in self.fields}


def is_secret(name: str) -> bool:
    """True for a field that is never kept (passwords, codes, tokens)."""
    lowered = name.lower()
    return lowered == "code" or any(marker in lowered for marker in SECRET_MARKERS)


def keep_draft(
    session: DbSession,
    account: Account,
    page_path: str,
    fields: Iterable[tuple[str, str]],
    *,
    now: dt.datetime | None = None,
) -> KeptDraft | None:
    """Keep what ``account`` sent from ``page_path``; a newer draft replaces one of that page."""
    now = now or utcnow()
    form_name = None
    kept: list[list[str]] = []
    for name, value in fields:
        if name == FORM_NAME_FIELD:
            form_name = value[:100]
        elif not is_secret(name) and len(kept) < MAX_FIELDS:
            kept.append([name, value])
    if not any(value.strip() for _name, value in kept):
        return None  # nothing typed: nothing to give back
    session.execute(
        delete(KeptDraft).where(
            (KeptDraft.account_id == account.id) & (KeptDraft.page_path == page_path)
            | (KeptDraft.expires_at <= now)
        )
    )
    draft = KeptDraft(
        account_id=account.id,
        page_path=page_path,
        form_name=form_name,
        fields=kept,
        created_at=now,
        expires_at=now + KEEP_FOR,
    )
    session.add(draft)
    session.commit()
    return draft


def get_draft(
    session: DbSession, account: Account, page_path: str, *, now: dt.datetime | None = None
) -> Draft | None:
    """The account's unexpired draft for this page, if any."""
    row = session.scalar(
        select(KeptDraft)
        .where(
            KeptDraft.account_id == account.id,
            KeptDraft.page_path == page_path,
            KeptDraft.expires_at > (now or utcnow()),
        )
        .order_by(KeptDraft.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    return Draft(
        id=row.id,
        page_path=row.page_path,
        form_name=row.form_name,
        fields=[(str(name), str(value)) for name, value in row.fields],
    )


def forget_draft(session: DbSession, account: Account, draft_id: int) -> None:
    """Delete a draft once its page has shown it again."""
    session.execute(
        delete(KeptDraft).where(KeptDraft.id == draft_id, KeptDraft.account_id == account.id)
    )
    session.commit()


def purge_expired_drafts(session: DbSession, *, now: dt.datetime | None = None) -> int:
    """Delete drafts past their hour; the number deleted."""
    result = session.execute(delete(KeptDraft).where(KeptDraft.expires_at <= (now or utcnow())))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
