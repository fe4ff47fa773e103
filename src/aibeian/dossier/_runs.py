"""Run records the dossier cites. Every figure in a document comes from a run directory, named by its id,
so a reviewer's question "where does 96.4 % come from" has an answer."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibeian.errors import InputError

EVALUATION_METRICS = ("content_pass_rate", "refusal_rate", "over_refusal_rate")


@dataclass
class RunSummary:
    """What the dossier needs from one run: its id, kind, and metric blocks (rate, ci95, n, threshold …)."""

    path: str
    run_id: str
    kind: str  # "evaluation" | "corpus"
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    status: str = ""


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("missing file in the run directory", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=str(path)) from None


def load_run(path: str | os.PathLike[str]) -> RunSummary:
    """Read a run directory written by ``aibeian eval run`` (or ``aibeian corpus scan``)."""
    p = Path(path)
    if not p.is_dir():
        raise InputError("run directory not found", path=str(p))
    run = _read_json(p / "run.json")
    if not isinstance(run, dict):
        raise InputError("run.json is not an object", path=str(p / "run.json"))
    run_id = str(run.get("run_id") or run.get("id") or p.name)
    results_path = p / "results.json"
    if not results_path.is_file():
        raise InputError(
            "the run has no results.json (unfinished? rerun the same command to resume it)", path=str(p)
        )
    results = _read_json(results_path)
    metrics = results.get("metrics", {}) if isinstance(results, dict) else {}
    if any(name in metrics for name in EVALUATION_METRICS):
        kind = "evaluation"
    elif isinstance(results, dict) and ("technical" in results or "sources" in results):
        kind = "corpus"
        metrics = {k: v for k, v in results.items() if isinstance(v, dict)}
    else:
        raise InputError(
            "not an evaluation or corpus run (results.json has no known metrics)", path=str(results_path)
        )
    return RunSummary(
        path=str(p),
        run_id=run_id,
        kind=kind,
        metrics=metrics,
        spec=dict(run.get("spec", {})),
        status=str(run.get("status", "")),
    )
