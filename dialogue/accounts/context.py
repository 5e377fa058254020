"""What a changing workspace service needs besides its input: who acts, where, when, in what
language, and how to write a link that leaves the service.

Views build it (``dialogue.accounts.workspace.context()``), commands and tests build it
directly; services take it as one explicit argument and never read ``flask.g``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from dialogue.accounts.access import Scope, require_admin, require_moderator, require_reader

if TYPE_CHECKING:
    from dialogue.accounts.models import Account

# external_url's signature: an endpoint and its values to an absolute link on the public URL.
LinkBuilder = Callable[..., str]


def _no_links(endpoint: str, /, **values: object) -> str:
    raise RuntimeError(f"this context builds no links (asked for {endpoint})")


@dataclasses.dataclass(frozen=True)
class Context:
    """One acting account in one municipality at one moment."""

    actor: Account
    scope: Scope
    municipality_id: int
    now: dt.datetime
    locale: str
    link: LinkBuilder = _no_links

    def require_reader(self) -> None:
        """404 unless the actor may read this municipality."""
        require_reader(self.scope, self.municipality_id)

    def require_moderator(self) -> None:
        """404 out of sight, 403 for staff who may only read."""
        require_moderator(self.scope, self.municipality_id)

    def require_admin(self) -> None:
        """404 out of sight, 403 for staff who are not administrators here."""
        require_admin(self.scope, self.municipality_id)
