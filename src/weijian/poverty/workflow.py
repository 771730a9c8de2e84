"""The registry status of a poor person as a transitions table (dynamic adjustment, 动态管理).

(status before, action) → status after. `None` is a person not yet in the registry. Exit and re-entry
are dated and carry a reason (seed-003 §4.1 step 5); only `services.person_status_change` applies them.
"""

from __future__ import annotations

from .models import PovertyStatus, StatusAction

TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, StatusAction.ENTER): PovertyStatus.POOR,
    (PovertyStatus.POOR, StatusAction.EXIT): PovertyStatus.EXITED,
    (PovertyStatus.EXITED, StatusAction.RE_ENTER): PovertyStatus.POOR,
}
# Exiting and re-entering change benefits, so the reason is part of the record.
REASON_REQUIRED = frozenset({StatusAction.EXIT, StatusAction.RE_ENTER})
PERMISSION = "poverty.manage_registry"


def next_status(current: str | None, action: str) -> str | None:
    return TRANSITIONS.get((current, action))


def actions_from(current: str | None) -> list[str]:
    return [action for (state, action) in TRANSITIONS if state == current]
