"""Run records the dossier cites. Every figure in a document comes from a run directory, named by its id,
so a reviewer's question "where does 96.4 % come from" has an answer.

Two kinds of run are read, each in the format its own command writes:

- ``aibeian eval run``: ``run.json`` (``format: aibeian.run/1``, ``spec.banks`` with each bank's sha256) and
  ``results.json`` (the three filing rates with their Wilson intervals);
- ``aibeian corpus scan``: ``run.json`` (``kind: aibeian-corpus-scan``) plus per-shard results and imported
  review verdicts, which the corpus package itself turns into the assessment (``corpus.assess_run``), so the
  dossier shows exactly the figures ``aibeian corpus report`` shows.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibeian.errors import InputError

EVALUATION_METRICS = ("content_pass_rate", "refusal_rate", "over_refusal_rate")
EVALUATION_FORMAT = "aibeian.run/1"  # evaluation._records.RUN_FORMAT
CORPUS_KIND = "aibeian-corpus-scan"  # corpus._run.RUN_KIND


@dataclass
class RunSummary:
    """What the dossier needs from one run: its id, kind, and metric blocks (rate, ci95, n, threshold …).

    For a corpus run ``metrics`` holds the ``technical`` and ``manual`` spot checks and ``report`` the whole
    corpus assessment (sources, conclusion …) as ``aibeian corpus report --format json`` gives it."""

    path: str
    run_id: str
    kind: str  # "evaluation" | "corpus"
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    status: str = ""
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def bank_hashes(self) -> list[str]:
        """The sha256 of every bank file an evaluation run was made on (empty when not recorded)."""
        banks = self.spec.get("banks") or []
        return [str(b["sha256"]) for b in banks if isinstance(b, dict) and b.get("sha256")]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("missing file in the run directory", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=str(path)) from None


def _corpus_run(p: Path, run: dict[str, Any]) -> RunSummary:
    from aibeian.corpus import assess_run

    try:
        report = assess_run(str(p))
    except (KeyError, TypeError, ValueError) as exc:  # a hand-edited or truncated shard result
        raise InputError(f"unreadable corpus run ({type(exc).__name__}: {exc})", path=str(p)) from None
    return RunSummary(
        path=str(p),
        run_id=p.name,
        kind="corpus",
        metrics={"technical": dict(report["technical"]), "manual": dict(report["manual"])},
        spec={"settings_key": run.get("settings_key"), **report["run"]},
        status=str(run.get("status", "")),
        report=report,
    )


def load_run(path: str | os.PathLike[str]) -> RunSummary:
    """Read a run directory written by ``aibeian eval run`` or ``aibeian corpus scan``."""
    p = Path(path)
    if not p.is_dir():
        raise InputError("run directory not found", path=str(p))
    run = _read_json(p / "run.json")
    if not isinstance(run, dict):
        raise InputError("run.json is not an object", path=str(p / "run.json"))
    if run.get("kind") == CORPUS_KIND:
        return _corpus_run(p, run)
    run_id = str(run.get("run_id") or run.get("id") or p.name)
    results_path = p / "results.json"
    if not results_path.is_file():
        raise InputError(
            "the run has no results.json (unfinished? rerun the same command to resume it)", path=str(p)
        )
    results = _read_json(results_path)
    metrics = results.get("metrics", {}) if isinstance(results, dict) else {}
    if not isinstance(metrics, dict) or not any(name in metrics for name in EVALUATION_METRICS):
        raise InputError(
            "not an evaluation or corpus run (results.json has no known metrics)",
            path=str(results_path),
            expected="the --out folder of `aibeian eval run` or `aibeian corpus scan`",
        )
    spec = run.get("spec", {})
    return RunSummary(
        path=str(p),
        run_id=run_id,
        kind="evaluation",
        metrics=metrics,
        spec=dict(spec) if isinstance(spec, dict) else {},
        status=str(run.get("status", "")),
    )
