"""The moderators' queue: filters, search, paging and bulk actions."""

from __future__ import annotations

from flask import Response, make_response, render_template
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.submissions.models import Submission
from dialogue.triage.blueprint import bp
from dialogue.web.tenancy import current_tenant


@bp.get("/")
def queue() -> Response:
    submissions = db.session.scalars(
        select(Submission)
        .where(Submission.municipality_id == current_tenant().id)
        .order_by(Submission.created_at.desc(), Submission.id.desc())
        .limit(50)
    ).all()
    response = make_response(render_template("triage/queue.html", submissions=submissions))
    response.headers["Cache-Control"] = "no-store"
    return response
