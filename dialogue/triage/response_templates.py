"""The replies moderators start from: one language each, optionally for a category and status."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from sqlalchemy import select

from dialogue.accounts.access import Scope, require_admin
from dialogue.accounts.context import Context
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.categories.models import Category
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.records import assign, get_owned
from dialogue.sanitize import clean_line, clean_text
from dialogue.submissions.models import Status
from dialogue.triage.models import ResponseTemplate

MAX_TITLE = 200
MAX_BODY = 5000


@dataclasses.dataclass(frozen=True)
class TemplateInput:
    title: str
    body: str
    locale: str
    category_id: int | None = None
    status: Status | None = None


@dataclasses.dataclass(frozen=True)
class TemplateRow:
    """A template with the category it is for, as the list shows it."""

    template: ResponseTemplate
    category: Category | None


def list_response_templates(
    session: DbSession, municipality_id: int, *, scope: Scope
) -> list[TemplateRow]:
    require_admin(scope, municipality_id)
    rows = session.execute(
        select(ResponseTemplate, Category)
        .outerjoin(Category, ResponseTemplate.category_id == Category.id)
        .where(ResponseTemplate.municipality_id == municipality_id)
        .order_by(ResponseTemplate.locale, ResponseTemplate.title, ResponseTemplate.id)
    )
    return [TemplateRow(template, category) for template, category in rows]


def get_response_template(
    session: DbSession, municipality_id: int, template_id: int, *, scope: Scope
) -> ResponseTemplate:
    require_admin(scope, municipality_id)
    return get_owned(session, ResponseTemplate, municipality_id, template_id)


def create_response_template(
    session: DbSession,
    municipality_id: int,
    data: TemplateInput,
    *,
    locales: Collection[str],
    actor: Account,
    scope: Scope,
) -> ResponseTemplate:
    require_admin(scope, municipality_id)
    values = _checked(session, municipality_id, data, locales)
    template = ResponseTemplate(municipality_id=municipality_id, **values)
    session.add(template)
    session.flush()
    record(
        session,
        actor.id,
        "response_template.created",
        Target.of("response_template", template),
        values=_audit_values(template),
    )
    session.commit()
    return template


def update_response_template(
    session: DbSession,
    ctx: Context,
    template_id: int,
    data: TemplateInput,
    *,
    locales: Collection[str],
) -> ResponseTemplate:
    ctx.require_admin()
    template = get_owned(session, ResponseTemplate, ctx.municipality_id, template_id)
    values = _checked(session, ctx.municipality_id, data, locales)
    changed = assign(template, values, _audit_values)
    if changed:
        record(
            session,
            ctx.actor.id,
            "response_template.updated",
            Target.of("response_template", template),
            changes=changed,
        )
    session.commit()
    return template


def delete_response_template(
    session: DbSession, municipality_id: int, template_id: int, *, actor: Account, scope: Scope
) -> None:
    """Templates are only a starting point: replies already sent keep their own text."""
    require_admin(scope, municipality_id)
    template = get_owned(session, ResponseTemplate, municipality_id, template_id)
    record(
        session,
        actor.id,
        "response_template.deleted",
        Target.of("response_template", template),
        values=_audit_values(template),
    )
    session.delete(template)
    session.commit()


def _checked(
    session: DbSession, municipality_id: int, data: TemplateInput, locales: Collection[str]
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    title = clean_line(data.title)
    body = clean_text(data.body)
    if not title:
        errors["title"] = _l("Give the template a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _l("Use at most %(limit)d characters.", limit=MAX_TITLE)
    if not body:
        errors["body"] = _l("Write the text of the reply.")
    elif len(body) > MAX_BODY:
        errors["body"] = _l("Use at most %(limit)d characters.", limit=MAX_BODY)
    if data.locale not in locales:
        errors["locale"] = _l("Choose the language of the reply.")
    if data.category_id is not None:
        category = session.get(Category, data.category_id)
        if category is None or category.municipality_id != municipality_id:
            errors["category"] = _l("Choose a category from the list.")
    if errors:
        raise InvalidInputError(errors)
    return {
        "title": title,
        "body": body,
        "locale": data.locale,
        "category_id": data.category_id,
        "status": data.status,
    }


def _audit_values(template: ResponseTemplate) -> dict[str, Any]:
    return {
        "title": template.title,
        "body": template.body,
        "locale": template.locale,
        "category_id": template.category_id,
        "status": template.status.value if template.status else None,
    }
