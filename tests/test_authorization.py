"""Every workspace route, taken from the URL map, answers the right thing to each kind of user.

A new route cannot escape this test: its URL parameters must be known here (see ``ids``),
and every route under ``/staff/<municipality>/`` is requested as anonymous, as a moderator of
municipality A, as an analyst of another police area and as an administrator of B.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from dialogue.accounts.access import load_scope
from dialogue.lagesbild.data import Period
from dialogue.lagesbild.report import build_report
from dialogue.lagesbild.snapshots import freeze
from dialogue.models import Category, Commitment, Initiative, Municipality, Place, Pledge
from dialogue.outbox.mail import Mail
from dialogue.outbox.models import OutboxMessage, OutboxState
from dialogue.outbox.services import enqueue
from dialogue.rounds import tokens
from dialogue.rounds.models import Invitation, RoundResponse
from tests.factories import (
    CategoryFactory,
    InputRoundFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PlaceFactory,
    QuestionFactory,
    SubmissionFactory,
)
from tests.helpers import hidden_fields, make_staff, sign_in

# Workspace routes outside administration that only administrators may use.
ADMIN_ONLY = {"snapshots.create_pledge"}


def workspace_rules(app: Flask) -> list[Rule]:
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/staff/<municipality>")]
    assert rules, "no workspace routes found"
    return sorted(rules, key=lambda r: r.rule)


@pytest.fixture
def world(app: Flask, db_session: Session, demo: Municipality) -> dict[str, Any]:
    """Municipality A (the demo) with a record of every kind, B elsewhere, and four users."""
    other = MunicipalityFactory()
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    submission = SubmissionFactory(category=category, receipt_key=b"k")
    place = db_session.scalars(select(Place).filter_by(slug="ranten")).one()
    organisation = OrganisationFactory(municipality_id=demo.id)
    input_round = InputRoundFactory(municipality_id=demo.id)
    # Invited, so deleting it is refused and the routes after it still find it.
    salt, _token, lookup = tokens.issue(b"k" * 32)
    db_session.add(
        Invitation(
            municipality_id=demo.id,
            round_id=input_round.id,
            organisation_id=organisation.id,
            token_salt=salt,
            token_hash=lookup,
        )
    )
    db_session.commit()
    question = QuestionFactory(round=input_round)
    invitation = db_session.scalars(select(Invitation)).one()
    response = RoundResponse(
        municipality_id=demo.id,
        round_id=input_round.id,
        organisation_id=organisation.id,
        invitation_id=invitation.id,
    )
    db_session.add(response)
    db_session.commit()
    moderator = make_staff(db_session, "mod-a@x.example", "moderator", municipality_id=demo.id)
    period = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    with app.app_context():
        report = build_report(db_session, [demo], period, title=demo.name)
    snapshot = freeze(
        db_session, demo, period, report, actor=moderator, scope=load_scope(db_session, moderator)
    )
    message = failed_message(db_session, demo.id)
    make_staff(db_session, "ana-b@x.example", "analyst", police_area_id=other.police_area_id)
    make_staff(db_session, "adm-b@x.example", "admin", municipality_id=other.id)
    return {
        "a": demo,
        "b": other,
        "submission": submission,
        "place": place,
        "organisation": organisation,
        "round": input_round,
        "question": question,
        "response": response,
        "snapshot": snapshot,
        "message": message,
    }


def failed_message(session: Session, municipality_id: int) -> OutboxMessage:
    """A message that failed for good, so retrying it is allowed."""
    message = enqueue(
        session,
        municipality_id=municipality_id,
        to_address="kontakt@example.se",
        mail=Mail("Inbjudan", "Hej!"),
        kind="round_invitation",
    )
    message.state, message.attempts = OutboxState.FAILED, 8
    session.commit()
    return message


def ids(world: dict[str, Any], db_session: Session) -> dict[str, Any]:
    """A value of municipality A for every URL parameter a workspace route may have."""
    pledge = db_session.scalars(select(Pledge).filter_by(municipality_id=world["a"].id)).first()
    commitment = db_session.scalars(
        select(Commitment).filter_by(municipality_id=world["a"].id)
    ).first()
    initiative = db_session.scalars(
        select(Initiative).filter_by(municipality_id=world["a"].id)
    ).first()
    category = db_session.scalars(select(Category).filter_by(municipality_id=world["a"].id)).first()
    return {
        "municipality": world["a"].slug,
        "submission_id": world["submission"].id,
        "pledge_id": pledge.id if pledge else 0,
        "commitment_id": commitment.id if commitment else 0,
        "initiative_id": initiative.id if initiative else 0,
        "category_id": category.id if category else 0,
        "place_id": world["place"].id,
        "slug": world["place"].slug,
        "organisation_id": world["organisation"].id,
        "round_id": world["round"].id,
        "question_id": world["question"].id,
        "response_id": world["response"].id,
        "snapshot_id": world["snapshot"].id,
        "message_id": world["message"].id,
        "fmt": "csv",
    }


def url_for_rule(rule: Rule, values: dict[str, Any]) -> str:
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{rule.endpoint}: give test_authorization a value for {missing}"
    url = rule.rule
    for name in rule.arguments:
        url = url.replace(f"<{name}>", str(values[name]))
        url = url.replace(f"<int:{name}>", str(values[name]))
    return url


def requests_for(
    app: Flask, world: dict[str, Any], db_session: Session
) -> list[tuple[str, str, str]]:
    values = ids(world, db_session)
    out = []
    for rule in workspace_rules(app):
        url = url_for_rule(rule, values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def call(client: FlaskClient, method: str, url: str) -> int:
    if method == "GET":
        return client.get(url).status_code
    tokens = hidden_fields(client.get("/staff/login").get_data(as_text=True))
    return client.open(
        url, method=method, data={"csrf_token": tokens.get("csrf_token", "")}
    ).status_code


def test_anonymous_visitors_are_sent_to_sign_in(
    app: Flask, client: FlaskClient, world: dict[str, Any], db_session: Session
) -> None:
    for endpoint, method, url in requests_for(app, world, db_session):
        assert call(client, method, url) == 302, f"{method} {url} ({endpoint})"


@pytest.mark.parametrize("email", ["ana-b@x.example", "adm-b@x.example"])
def test_staff_of_other_municipalities_get_404_everywhere(
    app: Flask, client: FlaskClient, world: dict[str, Any], db_session: Session, email: str
) -> None:
    sign_in(client, email)
    for endpoint, method, url in requests_for(app, world, db_session):
        assert call(client, method, url) == 404, f"{email}: {method} {url} ({endpoint})"


def test_a_moderator_reaches_every_route_of_their_municipality_but_administration(
    app: Flask, client: FlaskClient, world: dict[str, Any], db_session: Session
) -> None:
    sign_in(client, "mod-a@x.example")
    for endpoint, method, url in requests_for(app, world, db_session):
        status = call(client, method, url)
        if endpoint.startswith(("admin.", "audit.")) or endpoint in ADMIN_ONLY:
            assert status == 403, f"{method} {url} ({endpoint})"
        else:
            assert status not in {401, 403, 404, 500}, f"{method} {url} ({endpoint}): {status}"


def foreign_ids(db_session: Session, other: Municipality) -> dict[str, int]:
    """A record of municipality B for every record id a workspace route may take."""
    category = CategoryFactory(
        municipality_id=other.id, parent=CategoryFactory(municipality_id=other.id)
    )
    submission = SubmissionFactory(category=category, receipt_key=b"k")
    organisation = OrganisationFactory(municipality_id=other.id)
    input_round = InputRoundFactory(municipality_id=other.id)
    question = QuestionFactory(round=input_round)
    salt, _token, lookup = tokens.issue(b"k" * 32)
    invitation = Invitation(
        municipality_id=other.id,
        round_id=input_round.id,
        organisation_id=organisation.id,
        token_salt=salt,
        token_hash=lookup,
    )
    db_session.add(invitation)
    db_session.flush()
    response = RoundResponse(
        municipality_id=other.id,
        round_id=input_round.id,
        organisation_id=organisation.id,
        invitation_id=invitation.id,
    )
    db_session.add(response)
    db_session.commit()
    return {
        "submission_id": submission.id,
        "category_id": category.id,
        "place_id": PlaceFactory(municipality_id=other.id).id,
        "organisation_id": organisation.id,
        "round_id": input_round.id,
        "question_id": question.id,
        "response_id": response.id,
        "message_id": failed_message(db_session, other.id).id,
    }


def test_a_moderator_gets_404_for_ids_of_another_municipality(
    app: Flask, client: FlaskClient, world: dict[str, Any], db_session: Session
) -> None:
    foreign = foreign_ids(db_session, world["b"])
    sign_in(client, "mod-a@x.example")
    checked = set()
    for rule in workspace_rules(app):
        for name in sorted(set(rule.arguments) & set(foreign)):
            if rule.endpoint.startswith("admin.") and name != "submission_id":
                continue  # administration answers 403 to a moderator before it looks
            url = url_for_rule(rule, {**ids(world, db_session), name: foreign[name]})
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                assert call(client, method, url) == 404, f"{method} {url} ({name})"
            checked.add(name)
    assert checked >= {"submission_id", "organisation_id", "round_id", "response_id"}


def test_an_administrator_gets_404_for_ids_of_another_municipality(
    app: Flask, client: FlaskClient, world: dict[str, Any], db_session: Session
) -> None:
    foreign = foreign_ids(db_session, world["b"])
    make_staff(db_session, "adm-a@x.example", "admin", municipality_id=world["a"].id)
    sign_in(client, "adm-a@x.example")
    for rule in workspace_rules(app):
        for name in sorted(set(rule.arguments) & set(foreign)):
            url = url_for_rule(rule, {**ids(world, db_session), name: foreign[name]})
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                assert call(client, method, url) == 404, f"{method} {url} ({name})"
