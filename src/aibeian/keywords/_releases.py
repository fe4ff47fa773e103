"""Immutable, dated releases of a library: the evidence that it is updated at least weekly.

A release is a folder ``<store>/<date>.<n>/`` holding a copy of the library and ``release.json`` (content
hash, counts, what was added and removed since the previous release). It is written to a temporary folder
and renamed into place, its files are made read-only, and an existing release is never overwritten: the
history a reviewer reads is the history that happened. Dates are calendar days in Asia/Shanghai, the
time zone the obligation is counted in.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aibeian.errors import InputError
from aibeian.keywords._coverage import check_library
from aibeian.keywords._diff import diff_libraries
from aibeian.keywords._library import Library
from aibeian.standards import load_standards

__all__ = ["Gap", "History", "Release", "ReleaseStore", "today"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


@dataclass(frozen=True)
class Release:
    version: str
    date: dt.date
    content_hash: str
    path: Path
    meta: dict[str, Any]

    @property
    def library_path(self) -> Path:
        return self.path / "library.csv"

    def library(self) -> Library:
        return Library.load(self.library_path)


@dataclass(frozen=True)
class Gap:
    after: str
    before: str | None  # None: the gap runs to ``as_of`` (no release since)
    days: int


@dataclass(frozen=True)
class History:
    releases: tuple[Release, ...]
    gaps: tuple[Gap, ...]
    max_interval_days: int
    as_of: dt.date

    @property
    def ok(self) -> bool:
        return bool(self.releases) and not self.gaps

    def to_dict(self) -> dict[str, Any]:
        return {
            "releases": [{**r.meta, "path": str(r.path)} for r in self.releases],
            "gaps": [{"after": g.after, "before": g.before, "days": g.days} for g in self.gaps],
            "max_interval_days": self.max_interval_days,
            "as_of": self.as_of.isoformat(),
            "ok": self.ok,
        }


class ReleaseStore:
    """A folder of releases. Nothing in it is ever modified once written."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def releases(self) -> list[Release]:
        if not self.root.is_dir():
            return []
        found = []
        for meta_path in self.root.glob("*/release.json"):
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                found.append(
                    Release(
                        meta["version"],
                        dt.date.fromisoformat(meta["date"]),
                        meta["content_hash"],
                        meta_path.parent,
                        meta,
                    )
                )
            except (ValueError, KeyError) as exc:
                raise InputError(f"unreadable release record ({exc})", path=str(meta_path)) from None
        return sorted(found, key=lambda r: (r.date, int(r.version.rsplit(".", 1)[-1])))

    def get(self, version: str) -> Release:
        releases = self.releases()
        if version == "latest" and releases:
            return releases[-1]
        for r in releases:
            if r.version == version:
                return r
        raise InputError(
            f"no release {version!r} in the store",
            path=str(self.root),
            expected=", ".join(r.version for r in releases) or "a store with releases",
        )

    def release(self, library: Library, *, date: dt.date | None = None, note: str = "") -> Release:
        """Record ``library`` as a new release dated ``date`` (today in Asia/Shanghai by default)."""
        date = date or today()
        releases = self.releases()
        previous = releases[-1] if releases else None
        if previous is not None:
            if date < previous.date:
                raise InputError(
                    f"the latest release {previous.version} is dated {previous.date}; a release "
                    f"cannot be dated earlier ({date})",
                    field="date",
                )
            if previous.content_hash == library.content_hash:
                raise InputError(
                    f"the library is unchanged since release {previous.version}; nothing recorded",
                    path=library.path,
                )
        same_day = [r for r in releases if r.date == date]
        version = f"{date.isoformat()}.{len(same_day) + 1}"
        coverage = check_library(library)
        diff = (
            diff_libraries(previous.library(), library) if previous else diff_libraries(Library(()), library)
        )
        meta = {
            "version": version,
            "date": date.isoformat(),
            "released_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "content_hash": library.content_hash,
            "previous": previous.version if previous else None,
            "source": library.path,
            "note": note,
            "entries": len(library),
            "total": coverage.total,
            "per_risk": coverage.per_risk,
            "meets_quotas": coverage.ok,
            "added": len(diff.added),
            "removed": len(diff.removed),
            "changed": len(diff.changed),
            "changes": diff.to_dict(),
        }
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=self.root))
        try:
            library.write(staging / "library.csv")
            (staging / "release.json").write_text(
                json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            for f in staging.iterdir():
                f.chmod(0o444)
            try:
                os.rename(staging, self.root / version)  # fails if the version exists: never overwrite
            except OSError as exc:
                raise InputError(
                    f"release {version} already exists (was another release recorded at the same "
                    "time?); nothing recorded",
                    path=str(self.root / version),
                ) from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self.get(version)

    def history(self, *, as_of: dt.date | None = None) -> History:
        """Releases in order, with every interval longer than the spec's maximum flagged."""
        limit = int(load_standards().threshold("keyword_library_update_max_interval_days").value)
        as_of = as_of or today()
        releases = self.releases()
        gaps = [
            Gap(a.version, b.version, (b.date - a.date).days)
            for a, b in itertools.pairwise(releases)
            if (b.date - a.date).days > limit
        ]
        if releases and (as_of - releases[-1].date).days > limit:
            gaps.append(Gap(releases[-1].version, None, (as_of - releases[-1].date).days))
        return History(tuple(releases), tuple(gaps), limit, as_of)
