"""When a receipt code may be shown again: in the same browser session, for a few minutes.

The code is shown when the submission is stored. Reloading the receipt page (the browser sends
the form again), going back and sending again, or switching the receipt's language shows it
again only in the browser session it was first shown in and for :data:`REDISPLAY_MINUTES`
after that; otherwise the resident sees that the message was received and that the code was
shown once. So the next person at a shared computer cannot fetch the code from the history.

What this needs is kept in the signed session cookie, never in the database:

- ``intake_binding``: a random value made when the form is opened and copied into its form
  token, so a sent form can be told to belong to this browser session;
- ``receipts_shown``: for each code shown, a keyed digest of its form token and when it was
  first shown.

A form that arrives again (:func:`may_show_code` with ``is_new=False``) shows the code if

1. this session showed it less than :data:`REDISPLAY_MINUTES` ago, or
2. this session never showed it and the form was opened in it under the current binding: the
   first answer never reached the browser (a double click: the browser drops the first
   response and shows the second).

Every time a code is shown the binding is renewed, so rule 2 holds only until the browser has
seen the code once, and digests older than the window can be forgotten.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from dialogue.submissions.receipts import FormToken

REDISPLAY_MINUTES = 10
BINDING_KEY = "intake_binding"
SHOWN_KEY = "receipts_shown"

clock: Callable[[], float] = time.time  # replaced in tests to let minutes pass


def session_binding(session: MutableMapping[str, Any]) -> str:
    """This browser session's binding for new forms (made on first use)."""
    value = session.get(BINDING_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(12)
        session[BINDING_KEY] = value
    return value


def may_show_code(
    session: MutableMapping[str, Any], key: bytes, token: FormToken, *, is_new: bool
) -> bool:
    """Whether the code of the form ``token`` may be shown now; remembers it when it is."""
    now = clock()
    window = REDISPLAY_MINUTES * 60
    shown = {
        digest: at
        for digest, at in _shown(session).items()
        if now - at <= window  # older ones can never be shown again: forget them
    }
    digest = hmac.new(key, b"shown:" + token.nonce.encode(), hashlib.sha256).hexdigest()[:16]
    if is_new or digest in shown:
        allowed = True
    else:
        allowed = bool(token.binding) and token.binding == session.get(BINDING_KEY)
    if allowed:
        shown.setdefault(digest, now)
        session[BINDING_KEY] = secrets.token_urlsafe(12)
    session[SHOWN_KEY] = shown
    return allowed


def _shown(session: MutableMapping[str, Any]) -> dict[str, float]:
    value = session.get(SHOWN_KEY)
    if not isinstance(value, dict):
        return {}
    return {
        digest: float(at)
        for digest, at in value.items()
        if isinstance(digest, str) and isinstance(at, int | float)
    }
