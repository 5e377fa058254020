"""Replies to the submitter: shown on the case page and, if they asked, announced by e-mail.

The e-mail only says that there is a reply and where to read it. It never carries the receipt
code (the person opens the case with the code they kept) nor the reply itself, so a forwarded
or intercepted message reveals nothing about the case.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from dialogue.accounts.access import Scope, require_moderator
from dialogue.accounts.models import Account
from dialogue.audit.services import Target, record
from dialogue.categories.models import Category
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError, NotFoundError
from dialogue.i18n import _l
from dialogue.municipalities.models import Municipality
from dialogue.outbox.mail import compose
from dialogue.outbox.services import enqueue
from dialogue.sanitize import clean_text
from dialogue.submissions.models import Reply, Status, Submission
from dialogue.triage.models import ResponseTemplate

MAX_REPLY_LENGTH = 4000
REPLY_NOTICE = "reply_notice"


def reply_to_submitter(
    session: DbSession,
    submission: Submission,
    body: str,
    *,
    actor: Account,
    scope: Scope,
    case_link: str,
) -> Reply:
    """Add a reply to the case page; queue an e-mail notice if the submitter left an address.

    ``case_link`` is the absolute address of the municipality's case page, the notice's link.
    """
    require_moderator(scope, submission.municipality_id)
    cleaned = clean_text(body)
    if not cleaned:
        raise InvalidInputError({"body": _l("Write the reply.")})
    if len(cleaned) > MAX_REPLY_LENGTH:
        raise InvalidInputError(
            {"body": _l("Use at most %(limit)d characters.", limit=MAX_REPLY_LENGTH)}
        )
    reply = Reply(municipality_id=submission.municipality_id, author_id=actor.id, body=cleaned)
    submission.replies.append(reply)
    notified = submission.contact is not None
    if submission.contact is not None:
        _queue_notice(session, submission, submission.contact.email, case_link)
    session.flush()  # the reply's id, for the audit event
    record(
        session,
        actor,
        "submission.replied",
        Target.of("submission", submission),
        reply_id=reply.id,
        notified=notified,
    )
    session.commit()
    return reply


def _queue_notice(session: DbSession, submission: Submission, address: str, case_link: str) -> None:
    municipality = session.get(Municipality, submission.municipality_id)
    if municipality is None:  # pragma: no cover (a foreign key makes this impossible)
        raise NotFoundError(submission.municipality_id)
    mail = compose(
        "reply_notice",
        submission.locale,
        reference=submission.reference,
        municipality=municipality.name,
        case_link=case_link,
    )
    enqueue(
        session,
        municipality_id=submission.municipality_id,
        to_address=address,
        mail=mail,
        kind=REPLY_NOTICE,
        submission_id=submission.id,
    )


def list_response_templates(
    session: DbSession,
    municipality_id: int,
    category_id: int | None,
    status: Status | None,
    locale: str,
) -> list[ResponseTemplate]:
    """Templates that fit a category (or its parent) and status, the most specific first."""
    categories: list[int] = []
    if category_id is not None:
        category = session.get(Category, category_id)
        if category is not None and category.municipality_id == municipality_id:
            categories = [category_id, *([category.parent_id] if category.parent_id else [])]
    query = (
        select(ResponseTemplate)
        .where(
            ResponseTemplate.municipality_id == municipality_id,
            ResponseTemplate.locale == locale,
            or_(
                ResponseTemplate.category_id.in_(categories), ResponseTemplate.category_id.is_(None)
            ),
            or_(ResponseTemplate.status == status, ResponseTemplate.status.is_(None)),
        )
        .order_by(
            ResponseTemplate.category_id.is_(None),
            ResponseTemplate.status.is_(None),
            ResponseTemplate.title,
            ResponseTemplate.id,
        )
    )
    return list(session.scalars(query))


def get_response_template(
    session: DbSession, municipality_id: int, template_id: int
) -> ResponseTemplate:
    """A template of this municipality; NotFoundError otherwise."""
    template = session.get(ResponseTemplate, template_id)
    if template is None or template.municipality_id != municipality_id:
        raise NotFoundError(template_id)
    return template
