"""E-mail text from templates: ``templates/mail/<name>.txt``, one block per part.

A mail template has two blocks, ``subject`` (one line) and ``body`` (plain text; ``.txt``
templates are not HTML-escaped). Translatable text inside them uses ``_()`` with named
placeholders, like every other template, so the catalogues hold whole sentences::

    {% block subject %}{{ _("Set a new password for Trygghetsdialog") }}{% endblock %}
    {% block body %}{{ _("Open this link within an hour:\n\n%(link)s", link=link) }}{% endblock %}

Rendered in the recipient's language, whatever the language of the request that sent it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import current_app
from flask_babel import force_locale


@dataclasses.dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def compose(name: str, locale: str, **context: Any) -> Mail:
    """The subject and body of ``templates/mail/<name>.txt`` in ``locale``."""
    template = current_app.jinja_env.get_template(f"mail/{name}.txt")
    with force_locale(locale):
        rendered = template.new_context(context)
        subject = "".join(template.blocks["subject"](rendered))
        body = "".join(template.blocks["body"](rendered))
    return Mail(subject=" ".join(subject.split()), body=body.strip("\n") + "\n")
