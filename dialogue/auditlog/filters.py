"""Template filters for audit entries, registered by the app factory.

``entry|action_label``, ``entry|actor_label(names)``, ``entry|object_label(names)`` and
``entry|detail_lines(names)``, where ``names`` is what :func:`describe.load_names` loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogue.auditlog.describe import action_label, actor_label, detail_lines, object_label

FILTERS: dict[str, Callable[..., Any]] = {
    "action_label": action_label,
    "actor_label": actor_label,
    "detail_lines": detail_lines,
    "object_label": object_label,
}
