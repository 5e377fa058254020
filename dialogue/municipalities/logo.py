"""The municipality's logo: an SVG or PNG an administrator uploads, kept in the database.

An SVG is a document that could run scripts, so it is refused unless it is plain drawing: no
document type (and so no entities), no scripts, event handlers, embedded documents or links
out. It is also only ever shown through ``<img>`` and served with a sandboxing policy (see
``logo_views``), so even a drawing that slipped through could not run anything.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from sqlalchemy import select

from dialogue.audit.services import Target, record
from dialogue.db import DbSession
from dialogue.errors import InvalidInputError
from dialogue.i18n import _l
from dialogue.municipalities.models import MunicipalityLogo

if TYPE_CHECKING:  # municipalities sit below accounts: the acting context is passed in
    from dialogue.accounts.context import Context

MAX_BYTES = 200 * 1024
VERSION_LENGTH = 16  # hex digits of the digest in the logo's address
PNG = "image/png"
SVG = "image/svg+xml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# Elements that run, embed or animate other content: never part of a logo.
_REFUSED_ELEMENTS = frozenset(
    {"script", "foreignobject", "iframe", "embed", "object", "animate", "set", "handler"}
)
_LINK_ATTRIBUTES = frozenset({"href", "src"})
_LOCAL_LINK = re.compile(r"^#[A-Za-z_][\w.-]*$")
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*['\"]?(?!#)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Logo:
    content_type: str
    data: bytes
    digest: str


def get_logo(session: DbSession, municipality_id: int) -> Logo | None:
    """The municipality's logo as stored, or None without one."""
    found = session.get(MunicipalityLogo, municipality_id)
    if found is None:
        return None
    return Logo(found.content_type, found.data, found.digest)


def logo_version(session: DbSession, municipality_id: int) -> str | None:
    """A short version of the logo for its address (changes with the logo), or None."""
    digest = session.scalar(
        select(MunicipalityLogo.digest).where(MunicipalityLogo.municipality_id == municipality_id)
    )
    return digest[:VERSION_LENGTH] if digest else None


def upload_logo(session: DbSession, ctx: Context, data: bytes) -> Logo:
    """Store ``data`` as the logo after checking it; the old logo, if any, is replaced."""
    ctx.require_admin()
    content_type = checked_type(data)
    digest = hashlib.sha256(data).hexdigest()
    stored = session.get(MunicipalityLogo, ctx.municipality_id)
    if stored is None:
        stored = MunicipalityLogo(municipality_id=ctx.municipality_id)
        session.add(stored)
    stored.content_type, stored.data, stored.digest = content_type, data, digest
    stored.updated_at = ctx.now
    record(
        session,
        ctx.actor.id,
        "municipality.logo_uploaded",
        Target("municipality", ctx.municipality_id, ctx.municipality_id),
        content_type=content_type,
        size=len(data),
    )
    session.commit()
    return Logo(content_type, data, digest)


def remove_logo(session: DbSession, ctx: Context) -> bool:
    """Remove the logo; False if there was none."""
    ctx.require_admin()
    stored = session.get(MunicipalityLogo, ctx.municipality_id)
    if stored is None:
        return False
    session.delete(stored)
    record(
        session,
        ctx.actor.id,
        "municipality.logo_removed",
        Target("municipality", ctx.municipality_id, ctx.municipality_id),
    )
    session.commit()
    return True


def checked_type(data: bytes) -> str:
    """The content type of an acceptable logo; InvalidInputError (field ``logo``) otherwise."""
    if not data:
        raise _refuse(_l("Choose an SVG or PNG file for the logo."))
    if len(data) > MAX_BYTES:
        raise _refuse(
            _l(
                "The logo must be at most %(size)d kB. Make the file smaller.",
                size=MAX_BYTES // 1024,
            )
        )
    if data.startswith(PNG_SIGNATURE):
        return PNG
    _check_svg(data)
    return SVG


def _check_svg(data: bytes) -> None:
    not_a_logo = _refuse(_l("The logo must be an SVG or PNG image."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_a_logo from None
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise _unsafe()
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 (no DTD, so no entities: checked above)
    except ElementTree.ParseError:
        raise not_a_logo from None
    if root.tag not in ("svg", f"{{{SVG_NAMESPACE}}}svg"):
        raise not_a_logo
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _REFUSED_ELEMENTS:
            raise _unsafe()
        if name == "style" and _EXTERNAL_CSS.search(element.text or ""):
            raise _unsafe()
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise _unsafe()
            if local in _LINK_ATTRIBUTES and not _LOCAL_LINK.match(value.strip()):
                raise _unsafe()
            if local == "style" and _EXTERNAL_CSS.search(value):
                raise _unsafe()


def _unsafe() -> InvalidInputError:
    return _refuse(
        _l(
            "The SVG file contains scripts, links or embedded content, which a logo may not "
            "have. Export it again as a plain drawing, or use a PNG file."
        )
    )


def _refuse(message: str) -> InvalidInputError:
    return InvalidInputError({"logo": message})
