"""How staff sign-in is limited: guessing stays slow, and nobody can lock a person out.

Failures (a wrong password, or a wrong second-factor code) are counted; a successful step is
never counted. Three limits hold on the password step and the code step together:

1. **Per client** (``DIALOGUE_RATELIMIT_LOGIN``, 20 per 15 minutes): failures from one client
   address, whatever address they try. This bounds *one client, many accounts* (password
   spraying from one place).
2. **Per account and client** (``DIALOGUE_RATELIMIT_LOGIN_ACCOUNT``, 8 per 15 minutes):
   failures for one account from one client. This bounds *one client, one account*, and it
   stops only that client: the owner signing in from anywhere else is not refused, however
   often an attacker fails for their address.
3. **Per account, from every client** (``DIALOGUE_RATELIMIT_LOGIN_ACCOUNT_TOTAL``, 50 per hour
   and 200 per day): failures for one account from all clients together. This bounds
   *distributed guessing* (many clients, one account): however many addresses an attacker
   has, the account gets at most that many wrong guesses per window. Once it is reached,
   only browsers the account has signed in from before may still try (a signed *known
   device* cookie, set at every full sign-in and valid for :data:`DEVICE_MAX_AGE`); they
   are still held by limits 1 and 2. So an attack that fills limit 3 blocks new browsers
   for that account, never the owner's own browser, and the owner can always get in from a
   new one with a set-password link (its requests are limited per address: the owner's
   inbox holds the links they sent).

Keys never hold an e-mail address or an IP address: the account is a keyed hash of the
address typed (known or not, so a limit reveals nothing about which accounts exist), the
client is :func:`dialogue.web.ratelimit.client_key`. On the code step the account is the one
whose password was just accepted, read from the session, never from the form, so the code
step cannot be given a fresh counter by posting another address.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug import Response

from dialogue.config import current_settings
from dialogue.keys import current_keys
from dialogue.web.ratelimit import client_key

PENDING_IDENTITY_KEY = "pending_identity"
DEVICE_COOKIE = "dialogue_device"
DEVICE_MAX_AGE = 180 * 24 * 3600
DEVICE_ACCOUNTS = 5  # the most accounts one browser remembers (a shared office computer)


def account_identity(email: str) -> str:
    """A keyed hash standing for the address typed, whether or not an account has it."""
    salt: bytes = current_keys().ratelimit
    normalised = email.strip().lower().encode()
    return hmac.new(salt, b"account:" + normalised, hashlib.sha256).hexdigest()[:32]


def _identity_tried() -> str:
    if request.endpoint == "accounts.login":
        return account_identity(request.form.get("email") or "")
    # The code step: only the account whose password was accepted in this session.
    return str(session.get(PENDING_IDENTITY_KEY) or account_identity(""))


def account_key() -> str:
    """Limit 3: the account tried, from every client."""
    return "account:" + _identity_tried()


def account_client_key() -> str:
    """Limit 2: the account tried, from this client only."""
    return f"account-client:{_identity_tried()}:{client_key()}"


def failed(response: Response) -> bool:
    """Only failures count: every successful step answers with a redirect."""
    return response.status_code != 303


def is_known_device() -> bool:
    """Whether this browser has signed in to the account being tried before."""
    return _identity_tried() in _known_identities()


def remember_device(response: Response, identity: str) -> None:
    """Mark this browser as one the account signs in from (limit 3 no longer applies)."""
    known = [item for item in _known_identities() if item != identity]
    known = [identity, *known][:DEVICE_ACCOUNTS]
    settings = current_settings()
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(known),
        max_age=DEVICE_MAX_AGE,
        path="/staff",
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite="Lax",
    )


def _known_identities() -> list[str]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        value: Any = _serializer().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def _serializer() -> URLSafeTimedSerializer:
    salt: bytes = current_keys().ratelimit
    return URLSafeTimedSerializer(salt, salt="dialogue.sign-in-device")
