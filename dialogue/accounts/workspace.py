"""The staff workspace: sign-in required, idle sessions end, every page scoped to a tenant.

Workspace pages of a municipality live under ``/staff/<municipality>/``. A municipality the
account may not read answers 404, as if it did not exist.

The signed cookie names a server-side session (``dialogue.accounts.sessions``); loading the
account for a request checks it, so sign-out, a password change, a deactivation and the idle
limit hold on the server whatever a copied or edited cookie says.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypedDict, TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug import Response

from dialogue.accounts.access import Scope, load_scope
from dialogue.accounts.context import Context
from dialogue.accounts.models import Account
from dialogue.accounts.services import get_signed_in_account, password_link_token
from dialogue.accounts.sessions import NO_SESSION, SessionCheck, SessionState, touch_session
from dialogue.config import current_settings
from dialogue.db import utcnow
from dialogue.drafts.services import Draft, forget_draft, get_draft, keep_draft
from dialogue.extensions import db, login_manager
from dialogue.i18n import _, current_locale
from dialogue.keys import current_keys
from dialogue.municipalities.tenancy import add_tenant, load_tenant
from dialogue.web.next_page import page_of_request
from dialogue.web.urls import external_url

P = ParamSpec("P")
R = TypeVar("R")
# The cookie's name for the server-side session; the check of it is kept in g for the request.
STAFF_SESSION_KEY = "staff_session"


def current_account() -> Account:
    account: Account = current_user._get_current_object()
    return account


def current_scope() -> Scope:
    if "scope" not in g:
        g.scope = load_scope(db.session, current_account())
    scope: Scope = g.scope
    return scope


@login_manager.user_loader
def _load_account(user_id: str) -> Account | None:
    account_id, _sep, version = user_id.partition(":")
    if not account_id.isdigit():
        return None
    account = get_signed_in_account(db.session, int(account_id), version)
    if account is None:
        return None
    token = session.get(STAFF_SESSION_KEY)
    g.staff_session = touch_session(
        db.session,
        current_keys().staff_session,
        token if isinstance(token, str) else None,
        idle_limit(),
        account_id=account.id,
    )
    if g.staff_session.state is SessionState.IDLE:
        g.idle_account = account  # whose typed text an expired POST keeps
    return account if g.staff_session.is_live else None


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=current_settings().staff_idle_minutes)


def current_session_check() -> SessionCheck:
    """How this request's server-side session stands (live, idle or ended)."""
    if not current_user.is_authenticated:  # loading the account checks the session
        ended: SessionCheck = g.get("staff_session", NO_SESSION)
        return ended
    check: SessionCheck = g.staff_session
    return check


def idle_seconds() -> int:
    """How long a workspace session may stay unused before it ends."""
    minutes: int = current_settings().staff_idle_minutes
    return minutes * 60


def _sign_in_again() -> Response:
    """To the sign-in page, returning afterwards to the page this request came from."""
    return redirect(url_for("accounts.login", next=page_of_request()))


def require_staff(*, enforce_totp: bool = True) -> Response | None:
    """Before every workspace request: signed in, not idle, two-factor when required."""
    if current_session_check().state is SessionState.IDLE:
        account: Account | None = g.get("idle_account")
        kept = account is not None and _keep_posted_form(account)
        logout_user()
        session.clear()
        if kept:
            flash(
                _(
                    "You were signed out after a period of inactivity, so what you sent was not "
                    "saved. Sign in again: what you typed will be back in the form, for you to "
                    "check and send again."
                ),
                "info",
            )
        else:
            flash(_("You were signed out after a period of inactivity. Sign in again."), "info")
        return _sign_in_again()
    if not current_user.is_authenticated:
        return _sign_in_again()  # what login_manager.unauthorized() would call
    if enforce_totp and current_scope().totp_required and not current_account().has_totp:
        flash(_("Your municipality requires two-factor sign-in. Set it up to continue."), "info")
        return redirect(url_for("accounts.two_factor"), code=303)
    return None


def _keep_posted_form(account: Account) -> bool:
    """Keep the text of a form posted after the session ended (CSRF already checked)."""
    page = page_of_request()
    if request.method != "POST" or page is None:
        return False
    fields = [(name, value) for name, value in request.form.items(multi=True)]
    return keep_draft(db.session, account, page, fields) is not None


def _load_kept_draft() -> None:
    """Offer this page's kept draft to the forms it renders (see DialogueForm)."""
    if request.method != "GET":
        return
    page = page_of_request()
    if page is not None:
        g.kept_draft = get_draft(db.session, current_account(), page)


def _forget_restored_draft(response: Response) -> Response:
    draft: Draft | None = g.get("kept_draft")
    if draft is not None and g.get("kept_draft_restored"):
        forget_draft(db.session, current_account(), draft.id)
    return response


def _require_readable_tenant() -> None:
    if "tenant" in g and not current_scope().can_read(g.tenant.id):
        abort(404)


def staff_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of workspace pages under ``/staff/<municipality>``."""
    bp = Blueprint(name, import_name, url_prefix="/staff/<municipality>")
    bp.url_value_preprocessor(load_tenant)
    bp.url_defaults(add_tenant)
    bp.before_request(require_staff)
    bp.before_request(_require_readable_tenant)
    bp.before_request(_load_kept_draft)
    bp.after_request(_forget_restored_draft)
    return bp


def moderator_required(view: Callable[P, R]) -> Callable[P, R]:
    """Only moderators and administrators of the municipality; analysts read only (403)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_scope().can_moderate(g.tenant.id):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Only administrators of the municipality (403 for other staff who can see it)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_scope().can_administer(g.tenant.id):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def init_app(app: Any) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = ""  # the sign-in page explains itself
    login_manager.session_protection = "basic"
    login_manager.unauthorized_handler(_sign_in_again)
    app.jinja_env.globals.update(
        staff_links=staff_links,
        staff_idle_seconds=idle_seconds,
        page_of_request=page_of_request,
        mail_not_sent=mail_not_sent,
    )


@dataclasses.dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def staff_links() -> list[NavLink]:
    """The workspace menu for the current municipality, by what the account may do there."""
    tenant_id = g.tenant.id
    endpoint = request.endpoint or ""
    links: list[tuple[str | tuple[str, ...], str, str]] = [
        ("triage.", _("Submissions"), "triage.queue"),
        ("organisations.", _("Organisations"), "organisations.index"),
        ("rounds.", _("Input rounds"), "rounds.index"),
        (("report.", "snapshots."), _("Situational picture"), "report.index"),
    ]
    if current_scope().can_administer(tenant_id):
        links += [
            ("audit.", _("Audit log"), "audit.log"),
            ("admin.", _("Administration"), "admin.index"),
        ]
    return [
        NavLink(label, url_for(target), endpoint.startswith(prefix))
        for prefix, label, target in links
    ]


def mail_not_sent() -> bool:
    """Whether to tell an administrator of this municipality that no mail server is set."""
    settings = current_settings()
    return not settings.smtp_host and current_scope().can_administer(g.tenant.id)


def tenant_id() -> int:
    """The id of the municipality whose workspace page this is."""
    municipality_id: int = g.tenant.id
    return municipality_id


class Acting(TypedDict):
    actor: Account
    scope: Scope


def acting() -> Acting:
    """The keyword arguments every changing service takes: who acts, and their scope."""
    return {"actor": current_account(), "scope": current_scope()}


def context() -> Context:
    """This request's acting account, municipality, time, language and link builder."""
    return Context(
        actor=current_account(),
        scope=current_scope(),
        municipality_id=tenant_id(),
        now=utcnow(),
        locale=current_locale(),
        link=external_url,
    )


def set_password_link(account: Account) -> str:
    """The one-time link on the public URL where ``account`` sets its password (three days)."""
    token = password_link_token(current_keys().account_link, account)
    return external_url("accounts.set_password", token=token)
