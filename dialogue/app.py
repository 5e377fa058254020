"""The application factory: ``create_app`` builds the app in small, ordered init steps.

This is the composition root: the one module (with ``dialogue.cli``) that imports every feature.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from dialogue import models  # noqa: F401  (registers every table on the metadata)
from dialogue.accounts import workspace
from dialogue.accounts.passwords import use_test_hashing
from dialogue.accounts.views import bp as accounts_bp
from dialogue.admin.views import bp as admin_bp
from dialogue.auditlog import filters as auditlog_filters
from dialogue.auditlog.views import bp as audit_bp
from dialogue.cases.views import bp as cases_bp
from dialogue.cli import register_commands
from dialogue.config import CONFIG_ERROR_EXIT, ConfigError, Settings, install_settings
from dialogue.errors import register_error_handlers
from dialogue.extensions import babel, csrf, db, migrate
from dialogue.i18n import select_locale, select_timezone
from dialogue.intake.views import bp as intake_bp
from dialogue.keys import Keys, install_keys, load_or_create_secret
from dialogue.lagesbild import filters as lagesbild_filters
from dialogue.lagesbild.area_views import bp as area_report_bp
from dialogue.lagesbild.public_views import bp as public_report_bp
from dialogue.lagesbild.report_views import bp as report_bp
from dialogue.lagesbild.snapshot_views import bp as snapshots_bp
from dialogue.municipalities.logo_views import bp as logo_bp
from dialogue.organisations.views import bp as organisations_bp
from dialogue.pages.municipality_views import bp as pledges_bp
from dialogue.pages.place_views import bp as places_bp
from dialogue.pages.views import bp as pages_bp
from dialogue.pledges import filters as pledge_filters
from dialogue.resources import resource_path
from dialogue.rounds.public_views import bp as answer_bp
from dialogue.rounds.staff_views import bp as rounds_bp
from dialogue.submissions import filters as submission_filters
from dialogue.triage.views import bp as triage_bp
from dialogue.web import encoding, headers, inputs, templating, urls
from dialogue.web.ratelimit import limiter
from dialogue.web.requestlog import silence_request_log


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application: a list of small, ordered init steps."""
    settings = settings or settings_from_environment()
    app = Flask(
        "dialogue",
        instance_path=settings.instance_path,  # None: Flask's default instance folder
        template_folder=str(resource_path("templates")),
        static_folder="static",
    )
    for step in (
        _configure,
        _init_database,
        _init_i18n,
        _init_security,
        _init_templates,
        _register_blueprints,
        _register_errors,
        _register_cli,
    ):
        step(app, settings)
    return app


def settings_from_environment() -> Settings:
    """The settings of ``DIALOGUE_*``; a bad value stops the process with one line, no traceback.

    Every way in goes through here: the ``dialogue`` command, ``flask --app dialogue`` and a
    WSGI server calling ``create_app()``.
    """
    try:
        return Settings.from_env()
    except ConfigError as error:
        # Printed, not logged: logging is not set up yet, and this is the one line to show.
        print(f"Dialogue cannot start: {error}", file=sys.stderr)
        raise SystemExit(CONFIG_ERROR_EXIT) from None


def _configure(app: Flask, settings: Settings) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    secret = settings.secret_key or load_or_create_secret(instance)
    keys = Keys.derive(secret)
    if settings.testing:
        use_test_hashing()
    install_settings(app, settings)
    install_keys(app, keys)
    app.config.update(
        SECRET_KEY=secret,
        TESTING=settings.testing,
        SQLALCHEMY_DATABASE_URI=settings.resolved_database_url(instance),
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.resolved_database_url(instance)),
        MAX_CONTENT_LENGTH=settings.max_content_length,
        MAX_FORM_MEMORY_SIZE=settings.max_content_length,
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="dialogue_session",
        # Requests for any other Host answer 400: nothing may build on a forged host name.
        TRUSTED_HOSTS=settings.allowed_hosts(),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: long forms are fine
        WTF_CSRF_SSL_STRICT=settings.session_cookie_secure,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_STORAGE_OPTIONS=_storage_options(settings.ratelimit_storage_uri),
        # If the storage (Redis) cannot be reached, limits are kept in this process's memory
        # (logged by Flask-Limiter), and any other limiter fault is logged, never a 500.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_KEY_PREFIX="dialogue",
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.default_timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(resource_path("translations")),
    )
    if settings.proxy_fix_x_for:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_fix_x_for, x_proto=1
        )
    silence_request_log()
    if not settings.testing:
        logging.basicConfig(level=logging.INFO)
        # Alembic announces each of its plugins at INFO whenever it is imported.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        if settings.limits_unshared:
            _warn_before_first_request(app, settings)


def _warn_before_first_request(app: Flask, settings: Settings) -> None:
    # Said when the process starts serving, not by every `dialogue` command that builds the app.
    said = False

    @app.before_request
    def _warn_once() -> None:
        nonlocal said
        if not said:
            said = True
            warn_if_limits_unshared(settings)


def warn_if_limits_unshared(settings: Settings) -> None:
    """Say when rate limits are counted per process (refused in production)."""
    if settings.limits_unshared:
        logging.getLogger(__name__).warning(
            "Rate limits are counted in this process's memory (DIALOGUE_RATELIMIT_STORAGE_URI="
            "memory://): with several worker processes or hosts each counts on its own, so a "
            "limit allows that many times more. Set a shared storage such as redis://host:6379/0."
        )


def _storage_options(uri: str) -> dict[str, Any]:
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        # An unreachable Redis must cost a request at most a second, not a hung worker.
        return {"socket_connect_timeout": 1, "socket_timeout": 1}
    return {}


def _engine_options(url: str) -> dict[str, Any]:
    # Parameters are what people typed: they never go into a log or an error message.
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}, "hide_parameters": True}
    return {"pool_pre_ping": True, "hide_parameters": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _init_database(app: Flask, settings: Settings) -> None:

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_path("migrations")), render_as_batch=True)


def _init_i18n(app: Flask, settings: Settings) -> None:

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def _init_security(app: Flask, settings: Settings) -> None:

    inputs.init_app(app)  # first: it bounds every <int:…> and runs before any other hook
    csrf.init_app(app)
    workspace.init_app(app)
    limiter.init_app(app)
    headers.init_app(app)
    urls.init_app(app)
    encoding.init_app(app)


def _init_templates(app: Flask, settings: Settings) -> None:

    filters = {
        **submission_filters.FILTERS,
        **auditlog_filters.FILTERS,
        **lagesbild_filters.FILTERS,
        **pledge_filters.FILTERS,
    }
    templating.init_app(app, filters=filters)


def _register_blueprints(app: Flask, settings: Settings) -> None:

    public = (
        pages_bp,
        pledges_bp,
        places_bp,
        intake_bp,
        cases_bp,
        answer_bp,
        public_report_bp,
        logo_bp,
    )
    workspace = (
        accounts_bp,
        triage_bp,
        audit_bp,
        admin_bp,
        organisations_bp,
        rounds_bp,
        report_bp,
        snapshots_bp,
        area_report_bp,
    )
    for blueprint in (*public, *workspace):
        app.register_blueprint(blueprint)


def _register_errors(app: Flask, settings: Settings) -> None:

    register_error_handlers(app)


def _register_cli(app: Flask, settings: Settings) -> None:

    register_commands(app)
