"""Public pages live under ``/<municipality>/``: the slug becomes ``g.tenant`` for the request."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g
from sqlalchemy.exc import DBAPIError

from dialogue.cache import ProcessCache, TTLCache
from dialogue.errors import NotFoundError
from dialogue.extensions import db
from dialogue.municipalities.services import Tenant, get_tenant

URL_PREFIX = "/<municipality>"


TENANTS = ProcessCache("tenants", TTLCache[Tenant])


def tenant_cache() -> TTLCache[Tenant]:
    return TENANTS.get()


def current_tenant() -> Tenant:
    tenant: Tenant = g.tenant
    return tenant


def local_today() -> dt.date:
    """Today's date in the current municipality's time zone."""
    return dt.datetime.now(ZoneInfo(current_tenant().timezone)).date()


def load_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    slug = (values or {}).pop("municipality", None)
    if slug is None:
        return
    try:
        g.tenant = tenant_cache().get_or_stale(
            slug, lambda: get_tenant(db.session, slug), (DBAPIError,)
        )
    except NotFoundError:
        abort(404)
    g.timezone = g.tenant.timezone


def add_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if "municipality" not in values and "tenant" in g:
        values["municipality"] = g.tenant.slug


def tenant_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint whose routes are all under ``/<municipality>``."""
    bp = Blueprint(name, import_name, url_prefix=URL_PREFIX)
    bp.url_value_preprocessor(load_tenant)
    bp.url_defaults(add_tenant)
    return bp
