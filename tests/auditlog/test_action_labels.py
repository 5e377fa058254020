"""Every action the code records has a translated label in the audit log."""

from __future__ import annotations

import re
from pathlib import Path

from dialogue.auditlog.describe import ACTION_LABELS

PACKAGE = Path(__file__).resolve().parents[2] / "dialogue"
# record(session, actor, "x.y", ...), record_changes(session, ctx.actor, "x.y", ...) and the
# wrappers not yet replaced: _record(session, "x.y", ...)
RECORDED = re.compile(
    r"(?:record|record_changes|_record|_audit|_audit_own)\("
    r'\s*(?:session,\s*)?(?:[a-z_.]+,\s*)?"([a-z_]+\.[a-z_]+)"'
)


def recorded_actions() -> set[str]:
    return {
        match.group(1)
        for path in PACKAGE.rglob("*.py")
        for match in RECORDED.finditer(path.read_text(encoding="utf-8"))
    }


def test_every_recorded_action_has_a_label() -> None:
    actions = recorded_actions()
    assert len(actions) > 40, "the search for recorded actions found too few: check the pattern"
    assert sorted(actions - set(ACTION_LABELS)) == []
