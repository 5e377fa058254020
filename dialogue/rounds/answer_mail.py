"""The e-mails of answering: the copy of the answers sent, and an open-link organisation's own
link. Their text is ``templates/mail/round_confirmation.txt`` and ``round_link.txt``."""

from __future__ import annotations

from flask_babel import force_locale

from dialogue.i18n import pick
from dialogue.outbox.mail import Mail, compose
from dialogue.rounds.answer_review import describe_answer
from dialogue.rounds.models import InputRound
from dialogue.rounds.visits import AnswerSite, Visit

# Outbox kinds of the messages queued by answering.
CONFIRMATION_MAIL = "round_confirmation"
LINK_MAIL = "round_link"


def confirmation_mail(visit: Visit, site: AnswerSite) -> Mail:
    """What was answered, and the link to change it, in the visitor's language."""
    locale, default_locale = site.locale, site.default_locale
    answers = visit.answers()
    labels = visit.category_labels
    with force_locale(locale):
        rows = [
            (
                pick(question.text, locale, default_locale)[0],
                describe_answer(question, answers.get(question.id), labels, locale, default_locale),
            )
            for question in visit.questions
        ]
    return compose(
        "round_confirmation",
        locale,
        title=pick(visit.round.title, locale, default_locale)[0],
        organisation=visit.organisation.name,
        municipality=site.municipality_name,
        closes_on=visit.round.closes_on,
        link=site.link(visit.token),
        answers=rows,
    )


def own_link_mail(
    input_round: InputRound, organisation_name: str, token: str, site: AnswerSite
) -> Mail:
    """An organisation's own link, for the address given on the open link."""
    return compose(
        "round_link",
        site.locale,
        title=pick(input_round.title, site.locale, site.default_locale)[0],
        organisation=organisation_name,
        municipality=site.municipality_name,
        closes_on=input_round.closes_on,
        link=site.link(token),
    )
