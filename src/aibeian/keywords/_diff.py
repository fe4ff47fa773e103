"""What changed between two libraries: the substance of a weekly update, and of its evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aibeian.keywords._library import Keyword, Library

__all__ = ["LibraryDiff", "diff_libraries"]


@dataclass(frozen=True)
class LibraryDiff:
    """Keywords added, removed, and moved to another risk (keyed by the keyword as written)."""

    added: tuple[Keyword, ...]
    removed: tuple[Keyword, ...]
    changed: tuple[tuple[Keyword, Keyword], ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [{"keyword": k.keyword, "risk": k.risk} for k in self.added],
            "removed": [{"keyword": k.keyword, "risk": k.risk} for k in self.removed],
            "changed": [
                {"keyword": new.keyword, "from": old.risk, "to": new.risk} for old, new in self.changed
            ],
            "counts": {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)},
        }


def diff_libraries(old: Library, new: Library) -> LibraryDiff:
    """Compare by keyword text; a keyword listed under several risks compares as a set of rows."""
    before = {(k.keyword, k.risk): k for k in old.entries}
    after = {(k.keyword, k.risk): k for k in new.entries}
    gone = [k for key, k in before.items() if key not in after]
    came = [k for key, k in after.items() if key not in before]
    came_by_word = {k.keyword: k for k in came}
    changed = [(k, came_by_word[k.keyword]) for k in gone if k.keyword in came_by_word]
    moved = {k.keyword for k, _ in changed}
    return LibraryDiff(
        added=tuple(k for k in came if k.keyword not in moved),
        removed=tuple(k for k in gone if k.keyword not in moved),
        changed=tuple(changed),
    )
