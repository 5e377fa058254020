"""Signing in and out, two-factor enrolment and setting a password from a link."""

from __future__ import annotations

import base64

import segno
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug import Response

from dialogue.accounts import limits, totp
from dialogue.accounts.access import list_readable_municipalities
from dialogue.accounts.forms import (
    CodeForm,
    EnrolForm,
    LoginForm,
    LogoutForm,
    ResetRequestForm,
    SetPasswordForm,
)
from dialogue.accounts.models import Account
from dialogue.accounts.services import (
    account_for_password_link,
    authenticate,
    change_password,
    check_second_factor,
    enable_totp,
    get_signed_in_account,
    record_sign_in,
    request_password_reset,
)
from dialogue.accounts.sessions import end_session
from dialogue.accounts.workspace import (
    STAFF_SESSION_KEY,
    current_account,
    current_scope,
    current_session_check,
    idle_limit,
    idle_seconds,
    require_staff,
)
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.extensions import db
from dialogue.i18n import _, current_locale
from dialogue.keys import current_keys
from dialogue.web.next_page import safe_next
from dialogue.web.ratelimit import limiter, named
from dialogue.web.responses import no_store, page
from dialogue.web.urls import external_url

bp = Blueprint("accounts", __name__, url_prefix="/staff")

PENDING_KEY = "pending_account"
PENDING_NEXT_KEY = "pending_next"
PENDING_SECRET_KEY = "pending_totp_secret"  # noqa: S105 (a session key name)


def _reset_key() -> str:
    """Set-password links asked for one address, from every client."""
    return "reset:" + limits.account_identity(request.form.get("email") or "")


# The sign-in limits, on the password step and the code step alike (see accounts.limits).
_per_client = limiter.shared_limit(
    named("login"), scope="login-client", methods=["POST"], deduct_when=limits.failed
)
_per_account_and_client = limiter.shared_limit(
    named("login_account"),
    scope="login-account-client",
    methods=["POST"],
    key_func=limits.account_client_key,
    deduct_when=limits.failed,
)
_per_account = limiter.shared_limit(
    named("login_account_total"),
    scope="login-account",
    methods=["POST"],
    key_func=limits.account_key,
    deduct_when=limits.failed,
    exempt_when=limits.is_known_device,
)


def _fresh_session() -> None:
    """Drop everything in the session but the chosen language (a new session at each step)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def _sign_in(account: Account, identity: str, next_url: str | None) -> Response:
    """Start a fresh session for ``account``: nothing of the anonymous one is carried over.

    The browser is remembered as one the account signs in from, so failures of others
    for this address cannot keep it out (see :mod:`dialogue.accounts.limits`).
    """
    _fresh_session()
    keys = current_keys()
    token = record_sign_in(db.session, account, keys.staff_session, idle_limit())
    login_user(account)
    session[STAFF_SESSION_KEY] = token
    target = safe_next(next_url, default=url_for("accounts.dashboard"))
    response: Response = redirect(target, code=303)
    limits.remember_device(response, identity)
    return response


@bp.route("/login", methods=["GET", "POST"])
@_per_client
@_per_account_and_client
@_per_account
def login() -> Response:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return page("accounts/login.html", form=form)
    if not form.validate_on_submit():
        return page("accounts/login.html", 422, form=form)
    account = authenticate(db.session, form.email.data or "", form.password.data or "")
    if account is None:
        form.password.errors = [_("The e-mail address or the password is wrong.")]
        return page("accounts/login.html", 422, form=form)
    if account.has_totp:
        _fresh_session()
        session[PENDING_KEY] = account.get_id()
        session[PENDING_NEXT_KEY] = form.next.data or ""
        session[limits.PENDING_IDENTITY_KEY] = limits.account_identity(form.email.data or "")
        return redirect(url_for(".code"), code=303)
    return _sign_in(account, limits.account_identity(form.email.data or ""), form.next.data)


@bp.route("/login/code", methods=["GET", "POST"])
@_per_client
@_per_account_and_client
@_per_account
def code() -> Response:
    account = _pending_account()
    if account is None:
        return redirect(url_for(".login"), code=303)
    form = CodeForm()
    if request.method == "GET":
        return page("accounts/code.html", form=form)
    keys = current_keys()
    if not form.validate_on_submit() or not check_second_factor(
        db.session, account, form.code.data or "", keys.recovery
    ):
        if not form.code.errors:
            form.code.errors = [_("The code is wrong or too old. Try the newest code.")]
        return page("accounts/code.html", 422, form=form)
    identity = str(session.get(limits.PENDING_IDENTITY_KEY, ""))
    return _sign_in(account, identity, session.get(PENDING_NEXT_KEY))


def _pending_account() -> Account | None:
    pending = str(session.get(PENDING_KEY, ""))
    account_id, _sep, version = pending.partition(":")
    if not account_id.isdigit():
        return None
    return get_signed_in_account(db.session, int(account_id), version)


@bp.post("/logout")
def logout() -> Response:
    if LogoutForm().validate_on_submit() and current_user.is_authenticated:
        logout_user()
    # The cookie is dropped below in any case: its server-side session ends with it.
    token = session.get(STAFF_SESSION_KEY)
    if isinstance(token, str):
        end_session(db.session, current_keys().staff_session, token)
    _fresh_session()
    flash(_("You are signed out."), "success")
    return redirect(url_for(".login"), code=303)


@bp.post("/session")
def keep_alive() -> Response:
    """Start the idle limit again (the "Stay signed in" button); 401 once the session ended."""
    # Loading the account touched the server-side session: the idle limit starts again.
    if not current_user.is_authenticated:
        response = jsonify(signed_in=False)
        response.status_code = 401
    else:
        response = jsonify(signed_in=True, idle_seconds=idle_seconds())
    return no_store(response)


@bp.get("/")
def dashboard() -> Response:
    if (redirect_to := require_staff()) is not None:
        return redirect_to
    scope = current_scope()
    municipalities = list_readable_municipalities(db.session, scope)
    areas = {m.police_area for m in municipalities if m.police_area_id in scope.police_areas}
    if len(municipalities) == 1 and not areas:
        # One municipality to work in: its queue is where the work is, not a list of one.
        return redirect(url_for("triage.queue", municipality=municipalities[0].slug), code=303)
    return page(
        "accounts/dashboard.html",
        municipalities=municipalities,
        police_areas=sorted(areas, key=lambda area: area.name),
    )


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor() -> Response:
    response = require_staff(enforce_totp=False)
    if response is not None:
        return response
    account = current_account()
    if account.has_totp:
        return page("accounts/two_factor_done.html")
    secret = session.get(PENDING_SECRET_KEY) or totp.new_secret()
    session[PENDING_SECRET_KEY] = secret
    form = EnrolForm()
    if request.method == "POST" and form.validate_on_submit():
        keys = current_keys()
        try:
            codes = enable_totp(db.session, account, secret, form.code.data or "", keys.recovery)
        except InvalidInputError as error:
            form.code.errors = [str(error.errors["code"])]
        else:
            session.pop(PENDING_SECRET_KEY, None)
            return page("accounts/recovery_codes.html", codes=codes)
    uri = totp.provisioning_uri(secret, account.email)
    return page(
        "accounts/two_factor.html",
        422 if form.errors else 200,
        form=form,
        secret=secret,
        qr=_qr_data_uri(uri),
    )


def _qr_data_uri(uri: str) -> str:
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, omitsize=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(named("login"), methods=["POST"])
@limiter.limit(named("login_account"), methods=["POST"], key_func=_reset_key)
def password_reset() -> Response:
    """Ask for a set-password link by e-mail; the answer is the same for every address."""
    form = ResetRequestForm()
    if request.method == "GET":
        return page("accounts/password_reset.html", form=form)
    if not form.validate_on_submit():
        return page("accounts/password_reset.html", 422, form=form)
    keys = current_keys()
    request_password_reset(
        db.session,
        form.email.data or "",
        lambda token: external_url("accounts.set_password", token=token),
        keys.account_link,
        locale=current_locale(),
    )
    return page("accounts/password_reset_sent.html")


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(named("login"), methods=["POST"])
def set_password(token: str) -> Response:
    keys = current_keys()
    try:
        account = account_for_password_link(db.session, keys.account_link, token)
    except NotFoundError:
        abort(404)
    form = SetPasswordForm()
    if request.method == "POST" and form.validate_on_submit():
        # The person's own session in this browser goes on; every other one ends.
        own = current_user.is_authenticated and current_account().id == account.id
        keep = current_session_check().session_id if own else None
        try:
            change_password(db.session, account, form.password.data or "", keep_session=keep)
        except InvalidInputError as error:
            form.password.errors = [str(error.errors["password"])]
        else:
            if own:
                login_user(account)  # the cookie names the new session version
                flash(_("Your password is set. You are still signed in here."), "success")
                return redirect(url_for(".dashboard"), code=303)
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for(".login"), code=303)
    status = 422 if request.method == "POST" else 200
    return page("accounts/set_password.html", status, form=form, account=account)
