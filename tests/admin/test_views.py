from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dialogue.accounts.models import Account, Membership
from dialogue.models import (
    Category,
    Municipality,
    Place,
    Pledge,
    PledgeStatus,
    ResponseTemplate,
)
from dialogue.web.theme import accent_colors
from tests.admin.helpers import audit_actions, complete_draft
from tests.factories import CategoryFactory, MunicipalityFactory, PlaceFactory, SubmissionFactory
from tests.helpers import PUBLIC_URL, hidden_fields, make_staff, sign_in

ADMIN = "/staff/falkoping/admin"


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None) -> Any:
    """POST with the session's CSRF token, taken from a workspace page."""
    token = hidden_fields(client.get("/staff/", follow_redirects=True).get_data(as_text=True))[
        "csrf_token"
    ]
    return client.post(url, data={"csrf_token": token, **(data or {})})


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


PLACE = {"name": "Lilla torget", "slug": "", "kind": "point", "parent": "", "aliases": ""}


# Who may come in


def test_the_start_page_links_every_section(admin_client: FlaskClient) -> None:
    html = text(admin_client.get(f"{ADMIN}/"))
    for section in ("pledges", "places", "categories", "templates", "accounts", "settings"):
        assert f'href="{ADMIN}/{section}"' in html
    assert 'href="/staff/falkoping/audit"' in html


def test_moderators_get_403_and_change_nothing(
    client: FlaskClient, db_session: Session, moderator: Account
) -> None:
    sign_in(client, moderator.email)
    assert client.get(f"{ADMIN}/").status_code == 403
    assert client.get(f"{ADMIN}/places/new").status_code == 403
    assert post(client, f"{ADMIN}/places/new", PLACE).status_code == 403
    assert db_session.scalars(select(Place).filter_by(name="Lilla torget")).first() is None


def test_administrators_of_another_municipality_get_404(
    client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    other = MunicipalityFactory()
    make_staff(db_session, "adm@annan.example", "admin", municipality_id=other.id)
    sign_in(client, "adm@annan.example")
    assert client.get(f"{ADMIN}/").status_code == 404
    assert client.get(f"/staff/{other.slug}/admin/").status_code == 200


def foreign_records(session: Session) -> dict[str, Any]:
    other = MunicipalityFactory()
    pledge = complete_draft(other)
    category = CategoryFactory(municipality_id=other.id)
    template = ResponseTemplate(municipality_id=other.id, locale="sv", title="T", body="B")
    session.add(template)
    session.commit()
    stranger = make_staff(session, "s@annan.example", "moderator", municipality_id=other.id)
    return {
        "pledge": pledge,
        "commitment": pledge.commitments[0],
        "place": PlaceFactory(municipality_id=other.id),
        "category": category,
        "template": template,
        "stranger": stranger,
    }


def test_ids_of_another_municipality_answer_404(
    admin_client: FlaskClient, db_session: Session
) -> None:
    r = foreign_records(db_session)
    gets = [
        f"{ADMIN}/pledges/{r['pledge'].id}",
        f"{ADMIN}/pledges/{r['pledge'].id}/edit",
        f"{ADMIN}/pledges/{r['pledge'].id}/commitments/new",
        f"{ADMIN}/commitments/{r['commitment'].id}",
        f"{ADMIN}/places/{r['place'].id}",
        f"{ADMIN}/categories/{r['category'].id}",
        f"{ADMIN}/templates/edit?template={r['template'].id}",
    ]
    for url in gets:
        assert admin_client.get(url).status_code == 404, url
    posts = [
        (f"{ADMIN}/pledges/{r['pledge'].id}/publish", {}),
        (f"{ADMIN}/pledges/{r['pledge'].id}/delete", {}),
        (f"{ADMIN}/commitments/{r['commitment'].id}/move", {"direction": "down"}),
        (f"{ADMIN}/commitments/{r['commitment'].id}/remove", {}),
        (f"{ADMIN}/places/{r['place'].id}/delete", {}),
        (f"{ADMIN}/categories/{r['category'].id}/active", {"active": "0"}),
        (f"{ADMIN}/templates/delete", {"template": r["template"].id}),
        (f"{ADMIN}/accounts/remove-role", {"membership": r["stranger"].memberships[0].id}),
        (f"{ADMIN}/accounts/deactivate", {"account": r["stranger"].id}),
    ]
    for url, data in posts:
        assert post(admin_client, url, data).status_code == 404, url
    assert r["pledge"].status == PledgeStatus.DRAFT
    assert r["category"].is_active
    assert r["stranger"].is_active
    assert audit_actions(db_session, "pledge") == []


# Places, and the caches of the public form


def test_a_new_place_is_offered_by_the_public_form_at_once(
    admin_client: FlaskClient, db_session: Session, caching: None
) -> None:
    assert "Lilla torget" not in text(admin_client.get("/falkoping/submit"))
    response = post(admin_client, f"{ADMIN}/places/new", PLACE)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{ADMIN}/places"
    assert "The place Lilla torget is added." in text(
        admin_client.get(response.headers["Location"])
    )
    assert "Lilla torget" in text(admin_client.get("/falkoping/submit"))
    assert "place.created" in audit_actions(db_session)


def test_without_clearing_the_cache_the_form_would_not_know(
    admin_client: FlaskClient, demo: Municipality, caching: None
) -> None:
    """The check above means something: the form's choices really are cached."""
    admin_client.get("/falkoping/submit")
    PlaceFactory(municipality_id=demo.id, name="Bakom ryggen")
    assert "Bakom ryggen" not in text(admin_client.get("/falkoping/submit"))


def test_a_place_form_with_problems_keeps_what_was_typed(admin_client: FlaskClient) -> None:
    data = {
        **PLACE,
        "slug": "Lilla Torget!",
        "latitude": "58,17",
        "longitude": "",
        "aliases": "Torget",
    }
    response = post(admin_client, f"{ADMIN}/places/new", data)
    assert response.status_code == 422
    html = text(response)
    assert 'class="error-summary"' in html
    assert 'href="#slug"' in html and 'href="#longitude"' in html
    assert 'value="Lilla Torget!"' in html
    assert 'value="58,17"' in html
    assert re.search(r">\s*Torget</textarea>", html)


def test_a_place_submissions_refer_to_says_why_it_stays(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    place = db_session.scalars(select(Place).filter_by(slug="mosseberg")).one()
    category = db_session.scalars(select(Category).filter_by(code="MILJO.LIGHT")).one()
    SubmissionFactory(category=category, receipt_key=b"k", place_id=place.id)
    page = text(admin_client.get(f"{ADMIN}/places/{place.id}"))
    assert "1 submission refers to it." in page
    asked = post(admin_client, f"{ADMIN}/places/{place.id}/delete")
    assert asked.status_code == 200
    assert "This place cannot be deleted" in text(asked)
    assert "Delete the place</button>" not in text(asked)
    response = post(admin_client, f"{ADMIN}/places/{place.id}/delete", {"confirm": "yes"})
    assert response.status_code == 303
    assert "Submissions refer to this place" in text(admin_client.get(response.headers["Location"]))
    assert db_session.get(Place, place.id) is not None


def test_deleting_a_place_asks_first_and_only_the_confirmation_deletes(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    place = PlaceFactory(municipality_id=demo.id, name="Gamla torget", slug="gamla-torget")
    url = f"{ADMIN}/places/{place.id}/delete"
    assert f'href="{url}"' in text(admin_client.get(f"{ADMIN}/places/{place.id}"))
    asked = admin_client.get(url)
    assert asked.status_code == 200
    assert "This cannot be undone." in text(asked)
    assert 'name="confirm" value="yes"' in text(asked)
    assert f'href="{ADMIN}/places/{place.id}"' in text(asked)
    assert post(admin_client, url).status_code == 200  # a bare POST only asks again
    assert db_session.get(Place, place.id) is not None
    response = post(admin_client, url, {"confirm": "yes"})
    assert response.status_code == 303
    assert db_session.get(Place, place.id) is None


# Pledges


def pledge_form(**changes: str) -> dict[str, str]:
    data = {
        "title_sv": "Medborgarlöfte 2025",
        "title_en": "",
        "focus_sv": "",
        "focus_en": "",
        "goal_sv": "",
        "goal_en": "",
        "valid_from": "2025-01-01",
        "valid_to": "2026-12-31",
        "signed_on": "",
        "sources_sv": "Polisens statistik\nTrygghetsmätning",
        "sources_en": "",
        "signatories-0-name": "Kim Ek",
        "signatories-0-role_sv": "Ordförande",
        "signatories-0-role_en": "",
        "signatories-1-name": "",
        "signatories-1-role_sv": "",
        "signatories-1-role_en": "",
    }
    data.update(changes)
    return data


def test_a_draft_is_written_through_the_form(
    admin_client: FlaskClient, db_session: Session
) -> None:
    response = post(admin_client, f"{ADMIN}/pledges/new", pledge_form())
    assert response.status_code == 303
    pledge = db_session.scalars(select(Pledge).filter_by(status=PledgeStatus.DRAFT)).one()
    assert response.headers["Location"] == f"{ADMIN}/pledges/{pledge.id}"
    assert pledge.sources == [{"sv": "Polisens statistik"}, {"sv": "Trygghetsmätning"}]
    assert pledge.signatories == [{"name": "Kim Ek", "role": {"sv": "Ordförande"}}]
    page = text(admin_client.get(response.headers["Location"]))
    assert "The draft is saved." in page
    assert "Add at least one commitment." in page


def test_a_pledge_without_the_required_language_names_it(admin_client: FlaskClient) -> None:
    data = pledge_form(title_sv="", title_en="The pledge")
    response = post(admin_client, f"{ADMIN}/pledges/new", data)
    assert response.status_code == 422
    html = text(response)
    assert 'href="#title_sv"' in html
    assert "Give the title in Swedish." in html
    assert 'value="The pledge"' in html


def test_a_commitment_in_the_required_language_alone_is_added(
    admin_client: FlaskClient, db_session: Session
) -> None:
    post(admin_client, f"{ADMIN}/pledges/new", pledge_form())
    pledge = db_session.scalars(select(Pledge).filter_by(status=PledgeStatus.DRAFT)).one()
    url = f"{ADMIN}/pledges/{pledge.id}/commitments/new"
    response = post(admin_client, url, {"text_sv": "", "text_en": "Only English"})
    assert response.status_code == 422
    assert "Write the commitment in Swedish." in text(response)
    assert post(admin_client, url, {"text_sv": "Bara svenska"}).status_code == 303


def test_a_pledge_form_with_problems_keeps_everything_typed(admin_client: FlaskClient) -> None:
    data = pledge_form(
        valid_to="2024-12-31", **{"signatories-1-role_sv": "Polischef", "goal_en": "Safety"}
    )
    response = post(admin_client, f"{ADMIN}/pledges/new", data)
    assert response.status_code == 422
    html = text(response)
    assert 'href="#valid_to"' in html
    assert 'href="#signatories-1-name"' in html
    assert 'value="2024-12-31"' in html
    assert 'value="Polischef"' in html
    assert "Safety</textarea>" in html
    assert "Trygghetsmätning</textarea>" in html


def test_publishing_an_incomplete_draft_shows_what_is_missing(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    draft = complete_draft(demo, commitments=0)
    response = post(admin_client, f"{ADMIN}/pledges/{draft.id}/publish")
    assert response.status_code == 422
    assert 'href="#commitments-section"' in text(response)
    assert draft.status == PledgeStatus.DRAFT


def test_a_published_draft_is_public_and_commitments_keep_their_order(
    admin_client: FlaskClient, db_session: Session, draft: Pledge, caching: None
) -> None:
    third = sorted(draft.commitments, key=lambda c: c.position)[2]
    response = post(admin_client, f"{ADMIN}/commitments/{third.id}/move", {"direction": "up"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pledges/{draft.id}#commitment-{third.id}")
    assert post(admin_client, f"{ADMIN}/pledges/{draft.id}/publish").status_code == 303
    public = text(admin_client.get(f"/falkoping/pledges/{draft.id}"))
    assert public.index("Promise 1") < public.index("Promise 3") < public.index("Promise 2")
    page = text(admin_client.get(f"{ADMIN}/pledges/{draft.id}"))
    assert "Close the pledge" in page
    assert "/remove" not in page  # published commitments stay


def test_moving_the_first_commitment_up_says_it_cannot(
    admin_client: FlaskClient, draft: Pledge
) -> None:
    first = sorted(draft.commitments, key=lambda c: c.position)[0]
    response = post(admin_client, f"{ADMIN}/commitments/{first.id}/move", {"direction": "up"})
    assert response.status_code == 303
    assert "cannot be moved further" in text(admin_client.get(response.headers["Location"]))


def test_progress_updates_show_on_the_public_pledge_page(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    pledge = db_session.scalars(select(Pledge).filter_by(status=PledgeStatus.PUBLISHED)).one()
    commitment = pledge.commitments[0]
    url = f"{ADMIN}/commitments/{commitment.id}/updates"
    bad = post(admin_client, url, {"published_on": "igår", "update_sv": "Vi har gjort mycket."})
    assert bad.status_code == 422
    assert "Vi har gjort mycket.</textarea>" in text(bad)
    good = {"published_on": "2023-10-01", "update_sv": "Vi har gjort mycket.", "update_en": ""}
    assert post(admin_client, url, good).status_code == 303
    assert "Vi har gjort mycket." in text(admin_client.get(f"/falkoping/pledges/{pledge.id}"))


def test_an_initiative_links_the_checked_places(
    admin_client: FlaskClient, db_session: Session, draft: Pledge
) -> None:
    ids = {p.slug: p.id for p in db_session.scalars(select(Place))}
    data = {
        "name_sv": "Trygg park",
        "name_en": "",
        "description_sv": "",
        "description_en": "",
        "places": [str(ids["dotorp"]), str(ids["mosseberg"])],
    }
    response = post(admin_client, f"{ADMIN}/pledges/{draft.id}/initiatives/new", data)
    assert response.status_code == 303
    initiative = draft.initiatives[0]
    assert [p.slug for p in initiative.places] == ["dotorp", "mosseberg"]
    html = text(admin_client.get(f"{ADMIN}/initiatives/{initiative.id}"))
    assert f'value="{ids["dotorp"]}" checked' in html
    assert f'value="{ids["ranten"]}">' in html


# Categories


def test_a_new_category_is_offered_by_the_public_form_at_once(
    admin_client: FlaskClient, db_session: Session, caching: None
) -> None:
    admin_client.get("/falkoping/submit")
    group = db_session.scalars(select(Category).filter_by(code="MILJO")).one()
    data = {
        "group": str(group.id),
        "label_sv": "Trasiga bänkar",
        "label_en": "Broken benches",
        "default_route": "kommun",
    }
    assert post(admin_client, f"{ADMIN}/categories/new", data).status_code == 303
    assert "Broken benches" in text(admin_client.get("/falkoping/submit"))
    created = db_session.scalars(select(Category).filter_by(code="MILJO.BROKEN_BENCHES")).one()
    response = post(admin_client, f"{ADMIN}/categories/{created.id}/active", {"active": "0"})
    assert "is no longer offered" in text(admin_client.get(response.headers["Location"]))
    assert "Broken benches" not in text(admin_client.get("/falkoping/submit"))


def test_a_new_group_needs_its_labels(admin_client: FlaskClient) -> None:
    data = {"group": "new", "label_sv": "Bänkar", "label_en": "Benches", "group_label_en": "Parks"}
    response = post(admin_client, f"{ADMIN}/categories/new", data)
    assert response.status_code == 422
    assert 'href="#group_label_sv"' in text(response)
    assert 'value="Parks"' in text(response)


# Response templates


def test_templates_are_added_and_edited(admin_client: FlaskClient, db_session: Session) -> None:
    data = {
        "title": "Tack",
        "body": "Tack för ditt meddelande.",
        "locale": "sv",
        "category": "",
        "status": "",
    }
    assert post(admin_client, f"{ADMIN}/templates/new", data).status_code == 303
    template = db_session.scalars(select(ResponseTemplate)).one()
    url = f"{ADMIN}/templates/edit?template={template.id}"
    assert 'value="Tack"' in text(admin_client.get(url))
    response = post(admin_client, url, {**data, "title": "Tack så mycket", "status": "accepted"})
    assert response.status_code == 303
    assert "Tack så mycket" in text(admin_client.get(f"{ADMIN}/templates"))
    assert template.status == "accepted"


# Accounts


def test_a_new_account_gets_a_set_password_link_shown_once(
    admin_client: FlaskClient, db_session: Session
) -> None:
    data = {"name": "Nils Ny", "email": "nils@falkoping.example", "role": "moderator"}
    response = post(admin_client, f"{ADMIN}/accounts/new", data)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    link = re.search(f'value="({PUBLIC_URL}/staff/set-password/[^"]+)"', text(response))
    assert link is not None
    assert "set-password" not in text(admin_client.get(f"{ADMIN}/accounts"))
    assert "Nils Ny" in text(admin_client.get(f"{ADMIN}/accounts"))
    assert admin_client.get(link.group(1).removeprefix(PUBLIC_URL)).status_code == 200


def test_an_account_that_exists_is_not_created_twice(
    admin_client: FlaskClient, moderator: Account
) -> None:
    data = {"name": "Moa", "email": moderator.email, "role": "moderator"}
    response = post(admin_client, f"{ADMIN}/accounts/new", data)
    assert response.status_code == 422
    assert 'href="#email"' in text(response)


def test_roles_are_given_removed_and_accounts_deactivated(
    admin_client: FlaskClient, db_session: Session, demo: Municipality, moderator: Account
) -> None:
    data = {"email": moderator.email, "role": "admin"}
    assert post(admin_client, f"{ADMIN}/accounts/add", data).status_code == 303
    admin_role = db_session.scalars(
        select(Membership).filter_by(account_id=moderator.id, role="admin")
    ).one()
    removing = {"membership": admin_role.id}
    assert post(admin_client, f"{ADMIN}/accounts/remove-role", removing).status_code == 200
    db_session.refresh(moderator)
    assert len(moderator.memberships) == 2  # asked, nothing removed
    removing["confirm"] = "yes"
    assert post(admin_client, f"{ADMIN}/accounts/remove-role", removing).status_code == 303
    deactivating = {"account": moderator.id}
    assert post(admin_client, f"{ADMIN}/accounts/deactivate", deactivating).status_code == 200
    assert moderator.is_active
    deactivating["confirm"] = "yes"
    response = post(admin_client, f"{ADMIN}/accounts/deactivate", deactivating)
    assert response.status_code == 303
    assert "is deactivated" in text(admin_client.get(response.headers["Location"]))
    assert not moderator.is_active


def test_removing_a_role_and_deactivating_say_what_happens_first(
    admin_client: FlaskClient, db_session: Session, demo: Municipality, moderator: Account
) -> None:
    role = moderator.memberships[0]
    listed = text(admin_client.get(f"{ADMIN}/accounts"))
    assert f'href="{ADMIN}/accounts/remove-role?membership={role.id}"' in listed
    assert f'href="{ADMIN}/accounts/deactivate?account={moderator.id}"' in listed
    asked = text(admin_client.get(f"{ADMIN}/accounts/remove-role?membership={role.id}"))
    assert "It is their last role anywhere" in asked
    assert "This cannot be undone." in asked
    assert f'href="{ADMIN}/accounts"' in asked
    asked = text(admin_client.get(f"{ADMIN}/accounts/deactivate?account={moderator.id}"))
    assert "The account is deactivated" in asked
    assert 'name="confirm" value="yes"' in asked
    db_session.refresh(moderator)
    assert moderator.is_active and moderator.memberships


def test_an_administrator_cannot_remove_their_own_role_through_the_page(
    admin_client: FlaskClient, administrator: Account
) -> None:
    own = administrator.memberships[0]
    response = post(admin_client, f"{ADMIN}/accounts/remove-role", {"membership": own.id})
    assert response.status_code == 303
    assert "You cannot remove your own administrator role" in text(
        admin_client.get(response.headers["Location"])
    )
    assert admin_client.get(f"{ADMIN}/").status_code == 200


# Settings


def settings_form(**changes: str) -> dict[str, str]:
    data = {
        "small_number_threshold": "5",
        "submit_rate_limit": "",
        "accent_color": "",
        "contact_email": "",
    }
    data.update(changes)
    return data


def test_a_new_accent_colour_is_used_at_once(
    admin_client: FlaskClient, demo: Municipality, caching: None
) -> None:
    assert "--accent:#1d4f91" in text(admin_client.get("/falkoping/theme.css"))
    response = post(admin_client, f"{ADMIN}/settings", settings_form(accent_color="#FFCC00"))
    assert response.status_code == 303
    adjusted = accent_colors("#ffcc00")["accent"]
    assert adjusted != "#ffcc00"  # yellow is darkened to keep AA contrast on white
    assert f"--accent:{adjusted}" in text(admin_client.get("/falkoping/theme.css"))
    page = text(admin_client.get(f"{ADMIN}/settings"))
    assert "<code>#ffcc00</code>" in page and f"<code>{adjusted}</code>" in page
    assert demo.accent_color == "#ffcc00"


def test_bad_settings_are_shown_again_with_what_was_typed(
    admin_client: FlaskClient, demo: Municipality
) -> None:
    data = settings_form(small_number_threshold="100", submit_rate_limit="ofta", require_totp="y")
    response = post(admin_client, f"{ADMIN}/settings", data)
    assert response.status_code == 422
    html = text(response)
    assert 'href="#small_number_threshold"' in html and 'href="#submit_rate_limit"' in html
    assert 'value="ofta"' in html
    assert re.search(r'id="require_totp"[^>]*checked|checked[^>]*id="require_totp"', html)
    assert not demo.require_totp


@pytest.mark.parametrize("section", ["pledges", "places", "categories", "accounts"])
def test_list_pages_have_tables_with_captions(admin_client: FlaskClient, section: str) -> None:
    html = text(admin_client.get(f"{ADMIN}/{section}"))
    assert "<caption" in html


def test_a_database_fault_keeps_what_was_typed(
    admin_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = hidden_fields(text(admin_client.get("/staff/", follow_redirects=True)))["csrf_token"]

    def broken_commit() -> None:
        raise OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(Session, "commit", lambda self: broken_commit())
    data = {**PLACE, "csrf_token": token, "aliases": "Torget vid kyrkan"}
    response = admin_client.post(f"{ADMIN}/places/new", data=data)
    assert response.status_code == 503
    html = text(response)
    assert 'role="alert"' in html
    assert 'value="Lilla torget"' in html
    assert "Torget vid kyrkan</textarea>" in html


def test_closing_a_pledge_asks_first_and_changes_nothing_until_confirmed(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    draft = complete_draft(demo)
    draft.status = PledgeStatus.PUBLISHED
    db_session.commit()
    url = f"{ADMIN}/pledges/{draft.id}/close"

    asked = admin_client.get(url)
    assert asked.status_code == 200
    assert "This cannot be undone." in text(asked)
    assert 'name="confirm" value="yes"' in text(asked)
    unconfirmed = post(admin_client, url)
    assert unconfirmed.status_code == 200
    db_session.refresh(draft)
    assert draft.status == PledgeStatus.PUBLISHED

    assert post(admin_client, url, {"confirm": "yes"}).status_code == 303
    db_session.refresh(draft)
    assert draft.status == PledgeStatus.CLOSED
