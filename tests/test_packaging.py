"""A non-editable install carries templates, translations, migrations, static files and data."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SMOKE = textwrap.dedent(
    """
    import sys, flask_migrate, dialogue
    from dialogue import create_app
    from dialogue.config import Settings
    from dialogue.demo.services import load_demo
    from dialogue.extensions import db
    assert dialogue.__file__.startswith(sys.argv[1]), dialogue.__file__
    app = create_app(Settings(database_url="sqlite:///" + sys.argv[2] + "/x.db",
                              instance_path=sys.argv[2], secret_key="s" * 32,
                              public_url="http://localhost", testing=True))
    with app.app_context():
        flask_migrate.upgrade()
        load_demo(db.session)
    client = app.test_client()
    swedish = client.get("/falkoping/submit").get_data(as_text=True)
    assert "Lämna synpunkt" in swedish, swedish[:500]
    client.get("/language/en")
    assert "Give feedback" in client.get("/falkoping/submit").get_data(as_text=True)
    assert client.get("/static/css/dialogue.css").status_code == 200
    from dialogue.submissions.personal_data import find_personal_data
    found = find_personal_data("Kalle Andersson bor på Storgatan 12")
    assert [span.kind.value for span in found] == ["name", "address"], found
    print("packaged service works")
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    return next(out.glob("dialogue-*.whl"))


def test_wheel_contains_every_resource(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "dialogue/templates/base.html",
        "dialogue/templates/intake/form.html",
        "dialogue/translations/sv/LC_MESSAGES/messages.mo",
        "dialogue/translations/en/LC_MESSAGES/messages.mo",
        "dialogue/migrations/env.py",
        "dialogue/migrations/alembic.ini",
        "dialogue/static/css/dialogue.css",
        "dialogue/data/categories.csv",
        "dialogue/data/demo-falkoping.json",
        "dialogue/data/names/given_names.txt",
        "dialogue/data/names/surnames.txt",
        "dialogue/data/names/README.md",
    ):
        assert expected in names, expected
    assert any(n.startswith("dialogue/migrations/versions/") for n in names)


def test_installed_wheel_serves_the_form_in_both_languages(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    result = subprocess.run(
        [sys.executable, "-c", SMOKE, str(site), str(tmp_path)],
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,  # not the checkout, whose dialogue/ would shadow the installed one
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "packaged service works" in result.stdout
