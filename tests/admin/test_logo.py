"""The municipality's logo: what is accepted, how it is served, and the header that shows it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dialogue.errors import InvalidInputError, PermissionDeniedError
from dialogue.models import Municipality, MunicipalityLogo
from dialogue.municipalities.logo import (
    MAX_BYTES,
    PNG_SIGNATURE,
    checked_type,
    get_logo,
    remove_logo,
    upload_logo,
)
from tests.admin.helpers import context_of, last_event
from tests.helpers import hidden_fields

ADMIN = "/staff/falkoping/admin"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)"/>'
    b'<use href="#g"/></svg>'
)
PNG = PNG_SIGNATURE + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def test_a_plain_svg_and_a_png_are_accepted() -> None:
    assert checked_type(SVG) == "image/svg+xml"
    assert checked_type(b"\xef\xbb\xbf<?xml version='1.0'?>\n" + SVG) == "image/svg+xml"
    assert checked_type(PNG) == "image/png"


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<image x:href="https://evil.example/x.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://e.example/a.css";</style>'
        b"</svg>",
        b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    ],
)
def test_an_svg_that_could_run_or_fetch_anything_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInputError) as refused:
        checked_type(data)
    assert "scripts, links or embedded content" in str(refused.value.errors["logo"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a....", "must be an SVG or PNG"),
        (b"<html><body/></html>", "must be an SVG or PNG"),
        (b"<svg", "must be an SVG or PNG"),
        (PNG + b"\x00" * MAX_BYTES, "at most 200 kB"),
        (b"", "Choose an SVG or PNG file"),
    ],
)
def test_other_files_are_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        checked_type(data)
    assert message in str(refused.value.errors["logo"])


def test_uploading_replaces_the_logo_and_removing_it_is_audited(
    db_session: Session, demo: Municipality, as_admin: dict[str, Any]
) -> None:
    ctx = context_of(as_admin, demo.id)
    upload_logo(db_session, ctx, SVG)
    upload_logo(db_session, ctx, PNG)
    logo = get_logo(db_session, demo.id)
    assert logo is not None and logo.content_type == "image/png" and logo.data == PNG
    assert last_event(db_session, "municipality.logo_uploaded").details["size"] == len(PNG)
    assert remove_logo(db_session, ctx)
    assert get_logo(db_session, demo.id) is None
    assert last_event(db_session, "municipality.logo_removed")
    assert not remove_logo(db_session, ctx)


def test_only_administrators_change_the_logo(
    db_session: Session, demo: Municipality, as_moderator: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDeniedError):
        upload_logo(db_session, context_of(as_moderator, demo.id), SVG)
    assert db_session.get(MunicipalityLogo, demo.id) is None


def _token(client: FlaskClient) -> str:
    page = client.get(f"{ADMIN}/settings").get_data(as_text=True)
    return hidden_fields(page)["csrf_token"]


def _upload(client: FlaskClient, data: bytes, name: str = "logo.svg") -> Any:
    return client.post(
        f"{ADMIN}/settings/logo",
        data={"csrf_token": _token(client), "logo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_uploaded_logo_is_served_and_shown_in_every_header(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    assert 'class="header-logo"' not in admin_client.get("/falkoping/").get_data(as_text=True)
    assert admin_client.get("/falkoping/logo").status_code == 404
    response = _upload(admin_client, SVG)
    assert response.status_code == 303
    public = admin_client.get("/falkoping/", follow_redirects=True).get_data(as_text=True)
    stored = db_session.get(MunicipalityLogo, demo.id)
    assert stored is not None
    digest = stored.digest
    src = f'src="/falkoping/logo?v={digest[:16]}" alt="{demo.name}"'
    assert src in public
    assert src in admin_client.get(f"{ADMIN}/settings").get_data(as_text=True)
    served = admin_client.get(f"/falkoping/logo?v={digest[:16]}")
    assert served.status_code == 200 and served.data == SVG
    assert served.headers["Content-Type"] == "image/svg+xml"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert "public" in served.headers["Cache-Control"]
    plain = admin_client.get("/falkoping/logo")
    assert "max-age=300" in plain.headers["Cache-Control"]
    again = admin_client.get("/falkoping/logo", headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304


def test_a_refused_logo_answers_422_or_413_with_the_reason_and_changes_nothing(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    bad = _upload(admin_client, b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>')
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'href="#logo"' in html and "scripts, links or embedded content" in html
    large = _upload(admin_client, PNG + b"\x00" * MAX_BYTES, "logo.png")
    assert large.status_code == 413
    assert "at most 200 kB" in large.get_data(as_text=True)
    missing = admin_client.post(f"{ADMIN}/settings/logo", data={"csrf_token": _token(admin_client)})
    assert missing.status_code == 422
    assert db_session.get(MunicipalityLogo, demo.id) is None


def test_the_logo_can_be_removed(
    admin_client: FlaskClient, db_session: Session, demo: Municipality
) -> None:
    _upload(admin_client, PNG, "logo.png")
    page = admin_client.get(f"{ADMIN}/settings").get_data(as_text=True)
    assert "Remove the logo" in page
    response = admin_client.post(
        f"{ADMIN}/settings/logo/remove", data={"csrf_token": hidden_fields(page)["csrf_token"]}
    )
    assert response.status_code == 303
    assert db_session.get(MunicipalityLogo, demo.id) is None
    assert admin_client.get("/falkoping/logo").status_code == 404
    html = admin_client.get(f"{ADMIN}/settings").get_data(as_text=True)
    assert 'class="header-logo"' not in html and "No logo is uploaded" in html
