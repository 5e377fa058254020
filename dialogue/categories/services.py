"""Extending the two-level category taxonomy. Categories are never deleted: submissions keep
pointing at them, so a category that is no longer wanted is deactivated instead."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from dialogue.accounts.access import Scope, require_admin
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.catalogues import SOURCE_LOCALE
from dialogue.categories.models import Category, Route
from dialogue.db import DbSession, Localized, commit_retrying
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.municipalities.models import Municipality
from dialogue.records import (
    changes,
    get_owned,
    language_for_reader,
    localized_line,
    missing_locales,
    slugify,
)

MAX_CODE = 64


@dataclasses.dataclass(frozen=True)
class CategoryInput:
    label: Localized
    default_route: Route | None = None
    is_sensitive: bool = False


@dataclasses.dataclass(frozen=True)
class NewCategory:
    """A category under ``group_id``, or under a new group labelled ``group_label``."""

    category: CategoryInput
    group_id: int | None = None
    group_label: Localized | None = None


@dataclasses.dataclass(frozen=True)
class CategoryGroup:
    """A top-level category with the categories under it, in the order forms show them."""

    group: Category
    categories: tuple[Category, ...]


def group_categories(categories: Iterable[Category]) -> list[CategoryGroup]:
    """``categories`` (in their order) grouped under their parents, groups included if empty.

    The one way to build categories grouped by parent; a category whose parent is not among
    ``categories`` is left out.
    """
    ordered = list(categories)
    children: dict[int, list[Category]] = {}
    for category in ordered:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    return [
        CategoryGroup(category, tuple(children.get(category.id, ())))
        for category in ordered
        if category.parent_id is None
    ]


def category_groups(
    session: DbSession, municipality_id: int, *, offered_only: bool = False
) -> list[CategoryGroup]:
    """The municipality's categories by group, in position order.

    ``offered_only``: what a form offers, that is active categories in active groups, and no
    group left empty. Otherwise everything, inactive and empty groups included.
    """
    query = select(Category).where(Category.municipality_id == municipality_id)
    if offered_only:
        query = query.where(Category.is_active)
    groups = group_categories(session.scalars(query.order_by(Category.position, Category.id)))
    return [group for group in groups if group.categories] if offered_only else groups


def list_category_groups(
    session: DbSession, municipality_id: int, *, scope: Scope
) -> list[CategoryGroup]:
    """Every group with its categories, in the order the form shows them, inactive included."""
    require_admin(scope, municipality_id)
    return category_groups(session, municipality_id)


def get_category(
    session: DbSession, municipality_id: int, category_id: int, *, scope: Scope
) -> Category:
    require_admin(scope, municipality_id)
    return get_owned(session, Category, municipality_id, category_id)


def create_category(
    session: DbSession, municipality_id: int, data: NewCategory, *, actor: Account, scope: Scope
) -> Category:
    """A category at the end of its group; a new group is created first when asked for."""
    require_admin(scope, municipality_id)
    data = NewCategory(
        _cleaned(data.category),
        data.group_id,
        localized_line(data.group_label) if data.group_label is not None else None,
    )
    errors = _label_problems(
        data.category.label, "label", _required_locale(session, municipality_id)
    )
    _group(session, municipality_id, data, errors)
    if errors:
        raise InvalidInputError(errors)

    def attempt() -> Category:
        group = _group(session, municipality_id, data, {})
        if group is None:
            group = _add(session, municipality_id, None, CategoryInput(data.group_label or {}))
            record(
                session,
                actor.id,
                "category.created",
                Target.of("category", group),
                values=_audit_values(group),
            )
        category = _add(session, municipality_id, group, data.category)
        record(
            session,
            actor.id,
            "category.created",
            Target.of("category", category),
            values=_audit_values(category),
        )
        return category

    # Two administrators adding the same label at the same moment would make the same code:
    # the one who commits second gets the next free code instead of an error.
    return commit_retrying(session, attempt)


def update_category(
    session: DbSession,
    municipality_id: int,
    category_id: int,
    data: CategoryInput,
    *,
    actor: Account,
    scope: Scope,
) -> Category:
    """New labels, route or sensitivity; the code and the group stay."""
    require_admin(scope, municipality_id)
    category = get_owned(session, Category, municipality_id, category_id)
    data = _cleaned(data)
    errors = _label_problems(data.label, "label", _required_locale(session, municipality_id))
    if errors:
        raise InvalidInputError(errors)
    before = _audit_values(category)
    category.label = dict(data.label)
    category.default_route = data.default_route
    category.is_sensitive = data.is_sensitive
    changed = changes(before, _audit_values(category))
    if changed:
        record(
            session,
            actor.id,
            "category.updated",
            Target.of("category", category),
            changes=changed,
        )
    session.commit()
    return category


def set_category_active(
    session: DbSession,
    municipality_id: int,
    category_id: int,
    active: bool,
    *,
    actor: Account,
    scope: Scope,
) -> Category:
    """Offer a category in the form again, or stop offering it (a group: all of its own)."""
    require_admin(scope, municipality_id)
    category = get_owned(session, Category, municipality_id, category_id)
    if category.is_active == active:
        return category
    if not active and not _offered_without(session, municipality_id, category.id):
        raise InvalidInputError(
            {"is_active": _l("The form needs at least one category. Add or reactivate one first.")}
        )
    category.is_active = active
    action = "category.reactivated" if active else "category.deactivated"
    record(
        session,
        actor.id,
        action,
        Target.of("category", category),
        code=category.code,
    )
    session.commit()
    return category


def _offered_without(session: DbSession, municipality_id: int, category_id: int) -> bool:
    """Whether the resident's form still offers a category once this one (or group) is gone."""
    group = aliased(Category)
    offered = session.execute(
        select(Category.id, Category.parent_id)
        .join(group, Category.parent_id == group.id)
        .where(Category.municipality_id == municipality_id, Category.is_active, group.is_active)
    )
    return any(category_id not in (child, parent) for child, parent in offered)


def _group(
    session: DbSession, municipality_id: int, data: NewCategory, errors: dict[str, Any]
) -> Category | None:
    """The existing group asked for (None: a new one), noting problems in ``errors``."""
    if data.group_id is None:
        required = _required_locale(session, municipality_id)
        errors.update(_label_problems(data.group_label or {}, "group_label", required))
        return None
    group = session.get(Category, data.group_id)
    if group is None or group.municipality_id != municipality_id or group.parent_id is not None:
        errors["group"] = _l("Choose a group from the list.")
        return None
    return group


def _cleaned(data: CategoryInput) -> CategoryInput:
    return dataclasses.replace(data, label=localized_line(data.label))


def _required_locale(session: DbSession, municipality_id: int) -> str:
    """The language every label must have here; the others are optional."""
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFoundError(municipality_id)
    return municipality.default_locale


def _label_problems(label: Localized, field: str, required: str) -> dict[str, Any]:
    """A label is needed in the municipality's required language; the others are optional."""
    return {
        f"{field}_{locale}": _l(
            "Give the label in %(language)s.", language=language_for_reader(locale)
        )
        for locale in missing_locales(label, [required])
    }


def _add(
    session: DbSession, municipality_id: int, group: Category | None, data: CategoryInput
) -> Category:
    last = session.scalar(
        select(func.max(Category.position)).where(Category.municipality_id == municipality_id)
    )
    category = Category(
        municipality_id=municipality_id,
        code=_new_code(session, municipality_id, group, data.label),
        parent=group,
        label=dict(data.label),
        default_route=data.default_route,
        is_sensitive=data.is_sensitive,
        position=(last or 0) + 1,
    )
    session.add(category)
    session.flush()
    return category


def _new_code(
    session: DbSession, municipality_id: int, group: Category | None, label: Localized
) -> str:
    """``GROUP.WORDS`` from the label, unique in the municipality."""
    # Codes read as the catalogues' source language where the label has it.
    text = label.get(SOURCE_LOCALE) or next((value for value in label.values() if value), "")
    words = slugify(text).upper().replace("-", "_")
    prefix = f"{group.code}." if group else ""
    base = (prefix + (words or "CATEGORY"))[: MAX_CODE - 4]
    taken = set(
        session.scalars(
            select(Category.code).where(
                Category.municipality_id == municipality_id, Category.code.startswith(base)
            )
        )
    )
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}_{number}"
    return code


def _audit_values(category: Category) -> dict[str, Any]:
    return {
        "code": category.code,
        "label": category.label,
        "default_route": category.default_route.value if category.default_route else None,
        "is_sensitive": category.is_sensitive,
    }
