"""One library row and one finding about a row: the vocabulary shared by loading, checking and writing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from aibeian.keywords._normalise import normalise_keyword

__all__ = ["HEADER_HINT", "KNOWN_COLUMNS", "Finding", "Keyword"]

KNOWN_COLUMNS = ("keyword", "risk", "note", "added", "source")
HEADER_HINT = "a header line: keyword,risk[,note][,added][,source]"


@dataclass(frozen=True)
class Keyword:
    """One library row. ``extra`` keeps columns we do not know, so a round trip loses nothing."""

    keyword: str
    risk: str
    note: str = ""
    added: str = ""
    source: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    line: int = 0

    @property
    def normalised(self) -> str:
        return normalise_keyword(self.keyword)

    def row(self, columns: Iterable[str]) -> list[str]:
        values = {
            "keyword": self.keyword,
            "risk": self.risk,
            "note": self.note,
            "added": self.added,
            "source": self.source,
            **dict(self.extra),
        }
        return [values.get(c, "") for c in columns]


@dataclass(frozen=True)
class Finding:
    """Something ``check`` reports about an entry that did not stop the file from loading."""

    kind: str
    severity: Literal["error", "warning", "info"]
    message: str
    line: int | None = None
    keyword: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "line": self.line,
            "keyword": self.keyword,
            "message": self.message,
        }
