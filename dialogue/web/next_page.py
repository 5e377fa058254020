"""Where to send someone back to: only a page of this site that answers GET.

``next`` parameters and the page a posted form came from end up in a redirect. A path that
only accepts POST would answer 405 after signing in, another host would be an open redirect,
and CR/LF could split a header, so every such target passes through ``get_page_path``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def get_page_path(target: str | None, *, host: str | None = None) -> str | None:
    """``target`` as a same-site path and query that answers GET, or None."""
    if not target or UNSAFE.search(target):
        return None
    parts = urlsplit(target)
    foreign = parts.scheme not in {"http", "https"} or host is None or parts.netloc != host
    if (parts.scheme or parts.netloc) and foreign:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect):
        # 404; 405, a POST-only URL; or a redirect (a missing slash), which could itself be
        # taken for another rule: only a page's exact path is a place to return to.
        return None
    if endpoint == "static":
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def safe_next(target: str | None, default: str | None = None) -> str:
    """A same-site GET page to return to; anything else becomes ``default`` or the start page."""
    return get_page_path(target) or default or url_for("pages.index")


def page_of_request() -> str | None:
    """The page this request belongs to: itself for a GET, the page a posted form was on."""
    if request.method in {"GET", "HEAD"}:
        return get_page_path(request.full_path.rstrip("?"))
    referrer = get_page_path(request.referrer, host=request.host)
    if referrer is not None:
        return referrer
    # No referrer (a privacy setting): the posted URL itself, or the nearest page above it,
    # e.g. /staff/<municipality>/submissions/7 for a reply posted to .../submissions/7/reply.
    path = request.path.rstrip("/")
    while path:
        found = get_page_path(path) or get_page_path(path + "/")
        if found is not None:
            return found
        path = path.rpartition("/")[0]
    return None
