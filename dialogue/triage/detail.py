"""The submission page: everything about one submission, and the moderators' changes to it."""

from __future__ import annotations

from flask import Response, abort, make_response, render_template

from dialogue.errors import NotFoundError
from dialogue.extensions import db
from dialogue.triage.blueprint import bp
from dialogue.triage.services import get_submission
from dialogue.web.staff import current_scope
from dialogue.web.tenancy import current_tenant


@bp.get("/submissions/<int:submission_id>")
def show(submission_id: int) -> Response:
    try:
        submission = get_submission(db.session, current_scope(), current_tenant().id, submission_id)
    except NotFoundError:
        abort(404)
    response = make_response(render_template("triage/submission.html", submission=submission))
    response.headers["Cache-Control"] = "no-store"
    return response
