"""Every absolute link the service gives out, built from ``DIALOGUE_PUBLIC_URL``.

A link that leaves the service (an e-mail, a QR poster, a link staff copy to someone) must
never be built from the request: its Host header is whatever the client sent. ``external_url``
builds it from the public URL's scheme, host, port and path prefix alone, and works the same
inside a request and outside one (the ``dialogue`` commands).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from flask import Flask, current_app, request
from flask.globals import request_ctx
from werkzeug import Response
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter

from dialogue.config import current_settings, settings_of
from dialogue.errors import handle_http_error

log = logging.getLogger(__name__)


def public_url_adapter(app: Flask) -> MapAdapter:
    """The app's routes bound to the public URL instead of to a request."""
    base = settings_of(app).public_base
    return app.url_map.bind(
        base.netloc,
        script_name=base.path or "/",
        url_scheme=base.scheme,
    )


def external_url(endpoint: str, /, *, _anchor: str | None = None, **values: Any) -> str:
    """The absolute address of ``endpoint`` on the public URL, e.g. for an e-mail.

    ``endpoint`` is a full name (``"accounts.set_password"``); the URL defaults of its
    blueprint apply, so a page of a municipality takes the current one unless
    ``municipality=`` is given.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    values = dict(values)
    app.inject_url_defaults(endpoint, values)
    url = public_url_adapter(app).build(endpoint, values, force_external=True)
    if _anchor is not None:
        url += "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@")
    return url


def handle_untrusted_host(error: SecurityError) -> Response:
    """A Host header outside ``TRUSTED_HOSTS`` answers 400, on a page built on the public URL.

    Flask refuses the host before it binds the routes to the request, so there is nothing to
    build the page's links with: bind them to ``DIALOGUE_PUBLIC_URL``, the service's own name.
    """
    log.warning("refused a request for an untrusted host %r", request.environ.get("HTTP_HOST"))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    request.host = current_settings().public_base.netloc
    if request_ctx.url_adapter is None:
        request_ctx.url_adapter = public_url_adapter(app)
    # Whoever came by a wrong name gets a way to the right one.
    return handle_http_error(error, start_page=external_url("pages.index"))


def init_app(app: Flask) -> None:
    app.register_error_handler(SecurityError, handle_untrusted_host)
