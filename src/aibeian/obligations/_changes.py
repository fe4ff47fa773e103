"""The material-change questionnaire: for each change, whether a filing needs a re-filing, an amendment
(变更, within the change deadline) or nothing. The mapping is data (``duties.yaml`` → changes)."""

from __future__ import annotations

import difflib
from typing import Any

from aibeian.errors import InputError
from aibeian.obligations._calendar import duties_data
from aibeian.standards import load_standards

ACTIONS = ("refile", "amend", "none")


def change_kinds() -> dict[str, dict[str, Any]]:
    kinds: dict[str, dict[str, Any]] = duties_data()["changes"]
    return kinds


def assess_changes(filing_type: str, changes: list[str]) -> dict[str, Any]:
    """What ``changes`` mean for a filing of ``filing_type``: the strongest action and one line per change."""
    kinds = change_kinds()
    unknown = [c for c in changes if c not in kinds]
    if unknown:
        hints = []
        for c in unknown:
            close = difflib.get_close_matches(c, list(kinds), n=1)
            hints.append(f"{c!r}" + (f' (did you mean "{close[0]}"?)' if close else ""))
        raise InputError("unknown change " + ", ".join(hints), field="--change", expected=", ".join(kinds))
    deadline = load_standards().threshold("algorithm_change_deadline_working_days")
    items = [
        {"change": c, "zh": kinds[c]["zh"], "en": kinds[c]["en"], "action": kinds[c][filing_type]}
        for c in changes
    ]
    strongest = next((a for a in ACTIONS if any(i["action"] == a for i in items)), "none")
    return {
        "filing": filing_type,
        "action": strongest,
        "changes": items,
        "amend_deadline_working_days": int(deadline.value),
        "status": duties_data()["change_status"],
        "source": duties_data()["change_source"],
    }
