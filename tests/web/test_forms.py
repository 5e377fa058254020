"""The shared form base: a form names itself, and takes back a kept draft on its page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, g
from flask.testing import FlaskClient
from wtforms import StringField, TextAreaField

from dialogue.drafts.services import Draft
from dialogue.models import Municipality
from dialogue.web.forms import DialogueForm


class GreetingForm(DialogueForm):
    greeting = StringField("Greeting")


class LetterForm(DialogueForm):
    body = TextAreaField("Body")


def draft(form_name: str | None, **fields: str) -> Draft:
    return Draft(id=1, page_path="/staff/x/", form_name=form_name, fields=list(fields.items()))


def test_a_form_names_itself_beside_its_csrf_token(app: Flask) -> None:
    with app.test_request_context():
        html = str(GreetingForm().csrf_token)
    assert 'name="csrf_token"' in html
    assert '<input type="hidden" name="dialogue_form" value="GreetingForm">' in html


def test_a_kept_draft_fills_only_the_form_that_sent_it(app: Flask) -> None:
    with app.test_request_context("/staff/x/"):
        g.kept_draft = draft("LetterForm", body="Hej", greeting="ignored")
        greeting, letter = GreetingForm(), LetterForm()
        assert greeting.greeting.data is None
        assert letter.body.data == "Hej"
        assert g.kept_draft_restored is True


def test_a_draft_without_a_form_name_fills_the_form_with_its_fields(app: Flask) -> None:
    with app.test_request_context("/staff/x/"):
        g.kept_draft = draft(None, greeting="Hej")
        letter, greeting = LetterForm(), GreetingForm()
        assert letter.body.data is None
        assert greeting.greeting.data == "Hej"


def test_a_draft_is_restored_once_and_never_into_a_posted_form(app: Flask) -> None:
    with app.test_request_context("/staff/x/"):
        g.kept_draft = draft("LetterForm", body="Hej")
        assert LetterForm().body.data == "Hej"
        assert LetterForm().body.data is None, "one form gets it"
    with app.test_request_context("/staff/x/", method="POST", data={"body": "Nytt"}):
        g.kept_draft = draft("LetterForm", body="Hej")
        assert LetterForm().body.data == "Nytt"


def test_enter_in_a_public_form_sends_it_not_the_language_switch(
    client: FlaskClient, demo: Municipality, sv: Callable[[str], str]
) -> None:
    html = client.get("/falkoping/submit").get_data(as_text=True)
    buttons = re.findall(r'<button type="submit"[^>]*form="intake-form"[^>]*>', html)
    assert len(buttons) >= 2, "the default button and the language buttons"
    default, *language = buttons
    assert "data-default-button" in default and " name=" not in default
    assert all('name="language"' in button for button in language)
