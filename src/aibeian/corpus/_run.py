"""The run directory of a corpus scan: ``run.json``, one result and one completion marker per shard, and the
manual-review files. A scan interrupted anywhere resumes by shard: completed shards whose files did not
change are skipped, so a resumed run yields the same results as an uninterrupted one.

::

    RUN_DIR/
      run.json                 settings, inputs, shard plan, status
      shards/<shard>.json      one shard's counts, sample outcome, flagged items, manual-sample reserve
      shards/<shard>.done      its completion marker (fingerprint of the files + settings key)
      manual_sample.jsonl      the drawn manual sample (``corpus sample``)
      reviews.jsonl            reviewer verdicts (``corpus review-import`` or the workbench's review screen)
      review_log.jsonl         every verdict by every reviewer (two-reviewer agreement)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibeian import __version__
from aibeian.corpus._plan import Plan, Shard, plan_shards
from aibeian.corpus._settings import ScanSettings
from aibeian.corpus._shard import STORED, marker_path, reserve_path, result_path, store_result
from aibeian.errors import InputError
from aibeian.files import atomic_write_text

__all__ = ["RunDir", "ScanProgress", "scan"]

RUN_KIND = "aibeian-corpus-scan"
RUN_VERSION = 1


@dataclass
class ScanProgress:
    """What a progress display needs; ``advance`` is called once per finished shard."""

    total_shards: int
    total_bytes: int
    skipped_shards: int
    skipped_bytes: int


class RunDir:
    """Read and write one run directory."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @property
    def run_json(self) -> Path:
        return self.path / "run.json"

    def exists(self) -> bool:
        return self.run_json.is_file()

    def meta(self) -> dict[str, Any]:
        if not self.exists():
            raise InputError(
                "not a corpus scan run directory (no run.json)",
                path=str(self.path),
                expected="the --out folder of `aibeian corpus scan`",
            )
        data: dict[str, Any] = json.loads(self.run_json.read_text(encoding="utf-8"))
        if data.get("kind") != RUN_KIND:
            raise InputError(
                "run.json is not a corpus scan", path=str(self.run_json), field="kind", expected=RUN_KIND
            )
        return data

    def write_meta(self, data: dict[str, Any]) -> None:
        data["updated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        atomic_write_text(
            self.run_json, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        )

    def settings(self) -> ScanSettings:
        return ScanSettings.from_dict(self.meta()["settings"])

    def is_complete(self, shard: Shard, settings: ScanSettings) -> bool:
        """The shard's marker is there, for these files and settings, and its files have the sizes it
        recorded (a crash can leave a renamed file short: shard files are not fsynced one by one)."""
        marker = marker_path(self.path, shard)
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                return False
            sizes = data.get("sizes") or {}
            result_size = result_path(self.path, shard).stat().st_size  # OSError when it is missing
            if "result" in sizes and result_size != sizes["result"]:
                return False
            reserve = sizes.get("reserve")
            if reserve is not None and reserve_path(self.path, shard).stat().st_size != reserve:
                return False
        except (OSError, ValueError):
            return False
        return bool(data.get("fingerprint") == shard.fingerprint and data.get("settings") == settings.key)

    def forget_shard(self, name: str) -> None:
        """Drop a shard's completion marker, so the next run of the same scan redoes it: for a result or
        reserve that cannot be read (a crash while it was written, or an edit)."""
        marker_path(self.path, name).unlink(missing_ok=True)

    def results(self) -> Iterator[dict[str, Any]]:
        """Each shard's result in plan order; a missing one means the scan has not finished."""
        meta = self.meta()
        for name in meta["shards"]:
            path = self.path / "shards" / f"{name}.json"
            if not path.is_file():
                raise InputError(
                    f"the scan is not finished: shard {name} has no result yet",
                    path=str(self.path),
                    expected="rerun the same `aibeian corpus scan` to resume",
                )
            try:
                result = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                self.forget_shard(name)
                raise InputError(
                    f"shard {name}'s result cannot be read ({exc}): a crash while it was written, or an edit",
                    path=str(path),
                    expected="rerun the same `aibeian corpus scan`: it redoes this shard",
                ) from exc
            yield result


def scan(
    corpus: list[str],
    settings: ScanSettings,
    run_dir: str | os.PathLike[str],
    *,
    engine: Any,
    extra_meta: dict[str, Any] | None = None,
    on_start: Callable[[ScanProgress], None] | None = None,
    on_shard: Callable[[Shard, dict[str, Any]], None] | None = None,
) -> RunDir:
    """Scan (or resume scanning) ``corpus`` into ``run_dir`` with ``engine``; return the run directory."""
    run = RunDir(run_dir)
    run.path.mkdir(parents=True, exist_ok=True)
    if run.exists():
        previous = run.meta()
        if previous.get("settings_key") != settings.key:
            raise InputError(
                "the run directory holds a scan with other settings (sources, keyword library, "
                "sample rate, seed or judges); resuming would mix two scans",
                path=str(run.path),
                field="--out",
                expected="the same options as before, or a new --out folder",
            )
    known = run.meta().get("plan", {}).get("spans") if run.exists() else None
    plan: Plan = plan_shards(corpus, settings.sources, known)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta: dict[str, Any] = (
        run.meta() if run.exists() else {"kind": RUN_KIND, "version": RUN_VERSION, "created": now}
    )
    meta.update(
        {
            "aibeian": __version__,
            "status": "running",
            "corpus": [str(Path(c).resolve()) for c in corpus],
            "settings": settings.to_dict(),
            "settings_key": settings.key,
            "plan": plan.to_dict(),
            "shards": [s.name for s in plan.shards],
            **(extra_meta or {}),
        }
    )
    run.write_meta(meta)
    todo = [s for s in plan.shards if not run.is_complete(s, settings)]
    if on_start is not None:
        skipped = [s for s in plan.shards if s not in todo]
        on_start(
            ScanProgress(
                len(plan.shards), sum(s.size for s in plan.shards), len(skipped), sum(s.size for s in skipped)
            )
        )

    def done(shard: Shard, result: dict[str, Any]) -> None:
        if not result.get(STORED):  # an engine whose workers write their own results says so
            store_result(run.path, shard, result)
        if on_shard is not None:
            on_shard(shard, result)

    try:
        if getattr(engine, "stores_results", False):
            engine.run(todo, settings, done, run_dir=str(run.path))
        else:
            engine.run(todo, settings, done)
    except BaseException:
        meta["status"] = "interrupted"
        run.write_meta(meta)
        raise
    sync = getattr(os, "sync", None)  # not on Windows, where the size check on resume still holds
    if todo and sync is not None:
        sync()  # shard files are written without an fsync each: make them durable once, before "complete"
    meta["status"] = "complete"
    meta["completed"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    run.write_meta(meta)
    return run
