"""Clean the free text stored before the sanitiser defused unterminated tags.

Text was cleaned on the way in, but a tag the HTML parser never closed (``x <input autofocus
onfocus=…``) passed unchanged, and staff display names were not cleaned at all. This runs
every stored free text through the cleaning of ``dialogue/sanitize.py`` as it is at this
revision (copied here: migrations never import application code), rewriting only the rows
whose text changes, so running it again changes nothing.

Left as written: the append-only history (``status_events``, ``audit_events``) and the
frozen, content-hashed ``lagesbild_snapshots``, whose triggers refuse changes by design;
what they hold was cleaned on the way in and is escaped on the way out like all text. The
outbox holds mail already composed from cleaned text.

A text that cleaning would empty (it was nothing but markup) keeps its characters instead,
with every ``<`` that could open a tag defused, so nothing typed is lost and no required
field becomes empty.

Revision ID: a7c9e1f3b5d7
Revises: 5d7e9a1c3b40
Create Date: 2026-12-05 22:00:00.000000

"""
import html
import re
import unicodedata

import bleach
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c9e1f3b5d7'
down_revision = '5d7e9a1c3b40'
branch_labels = None
depends_on = None

LINE = "line"
TEXT = "text"
JSON = "json"

# (table, column, how): one-line fields lose line breaks, JSON is cleaned in every string.
COLUMNS = [
    ("accounts", "name", LINE),
    ("police_areas", "name", LINE),
    ("municipalities", "name", LINE),
    ("organisations", "name", LINE),
    ("organisations", "contact_name", LINE),
    ("places", "name", LINE),
    ("places", "aliases", JSON),
    ("tags", "name", LINE),
    ("clusters", "title", LINE),
    ("response_templates", "title", LINE),
    ("response_templates", "body", TEXT),
    ("submissions", "location_text", LINE),
    ("submissions", "text", TEXT),
    ("submissions", "forwarded_to", LINE),
    ("submissions", "public_summary", TEXT),
    ("addenda", "text", TEXT),
    ("notes", "body", TEXT),
    ("replies", "body", TEXT),
    ("round_responses", "respondent_name", LINE),
    ("round_answers", "text", TEXT),
    ("categories", "label", JSON),
    ("pledges", "title", JSON),
    ("pledges", "focus", JSON),
    ("pledges", "goal", JSON),
    ("pledges", "sources", JSON),
    ("pledges", "signatories", JSON),
    ("commitments", "text", JSON),
    ("initiatives", "name", JSON),
    ("initiatives", "description", JSON),
    ("input_rounds", "title", JSON),
    ("input_rounds", "introduction", JSON),
    ("round_questions", "text", JSON),
    ("round_questions", "hint", JSON),
    ("progress_updates", "text", JSON),
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TAG_OPENER = re.compile(r"<(?=[^\W\d_]|[!/?])")
_MAX_PASSES = 8


def _one_pass(text):
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return html.unescape(bleach.clean(text, tags=frozenset(), attributes={}, strip=True))


def _clean_text(value):
    text = value
    for _ in range(_MAX_PASSES):
        cleaned = _one_pass(text)
        if cleaned == text:
            break
        text = cleaned
    return _TAG_OPENER.sub("< ", text).strip()


def _clean_line(value):
    return " ".join(_clean_text(value).split())


def _kept(value, cleaned, line):
    """The cleaned text, or if cleaning left nothing, the characters with tags defused."""
    if cleaned or not value.strip():
        return cleaned
    fallback = _TAG_OPENER.sub("< ", _CONTROL.sub("", value))
    return " ".join(fallback.split()) if line else fallback.strip()


def _clean(value, how):
    if value is None:
        return None
    if isinstance(value, str):
        line = how == LINE
        return _kept(value, _clean_line(value) if line else _clean_text(value), line)
    if isinstance(value, list):
        return [_clean(item, how) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item, how) for key, item in value.items()}
    return value


def upgrade():
    connection = op.get_bind()
    metadata = sa.MetaData()
    for table_name, column_name, how in COLUMNS:
        kind = sa.JSON() if how == JSON else sa.Text()
        table = sa.Table(
            table_name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(column_name, kind),
            extend_existing=True,
        )
        column = table.c[column_name]
        rows = connection.execute(sa.select(table.c.id, column).where(column.is_not(None)))
        changed = []
        for row_id, value in rows.all():
            cleaned = _clean(value, how)
            if cleaned != value:
                changed.append((row_id, cleaned))
        if table_name == "tags":
            changed = _unique_tag_names(connection, table, changed)
        for row_id, cleaned in changed:
            connection.execute(table.update().where(table.c.id == row_id).values({column: cleaned}))


def _unique_tag_names(connection, table, changed):
    """A tag whose cleaned name another tag of its municipality has gets its id appended."""
    if not changed:
        return changed
    tags = sa.Table(
        "tags",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("municipality_id", sa.Integer),
        sa.Column("name", sa.Text),
    )
    rows = connection.execute(sa.select(tags.c.id, tags.c.municipality_id, tags.c.name)).all()
    owner = {row_id: municipality_id for row_id, municipality_id, _ in rows}
    renamed = dict(changed)
    taken = {(municipality_id, renamed.get(row_id, name)) for row_id, municipality_id, name in rows
             if row_id not in renamed}
    result = []
    for row_id, cleaned in changed:
        name = cleaned
        if (owner[row_id], name) in taken:
            name = f"{cleaned} {row_id}"
        taken.add((owner[row_id], name))
        result.append((row_id, name))
    return result


def downgrade():
    # Cleaning cannot be undone, and the text it removed was never meant to be stored.
    pass
