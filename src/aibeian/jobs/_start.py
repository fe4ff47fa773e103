"""Starting a job from the workbench or the API: check what a person entered, resolve it to absolute paths
under the configured folders, and enqueue. Every problem is an ``InputError`` naming its form field, so
the screen can show it next to that field; nothing is queued unless every input is right.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from aibeian.errors import InputError, Problem
from aibeian.settings import Settings
from aibeian.storage import Actor, Job, enqueue_job

__all__ = ["NAME_PATTERN", "bank_files", "start_corpus_scan", "start_evaluation", "start_job"]

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


def bank_files(settings: Settings) -> list[str]:
    """The bank files (``*.jsonl``) offered for an evaluation, by name under the banks folder."""
    root = settings.banks_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_file() and p.suffix == ".jsonl")


def _name(value: str, field: str, problems: list[Problem]) -> str:
    value = value.strip()
    if not NAME_PATTERN.match(value):
        problems.append(
            Problem(
                "not a valid run name / 运行名称无效",
                field=field,
                expected="letters, digits, '-', '_' or '.', at most 100, starting with a letter or digit",
            )
        )
    return value


def start_evaluation(
    session: Session,
    settings: Settings,
    *,
    name: str,
    banks: list[str],
    target_url: str,
    model: str,
    api_key_env: str = "",
    judges: str = "refusal",
    sample: int | None = None,
    seed: int = 0,
    actor: Actor,
) -> Job:
    """Queue an evaluation run into the workbench's run folder (an existing run of that name resumes)."""
    problems: list[Problem] = []
    run_name = _name(name, "name", problems)
    offered = set(bank_files(settings))
    if not banks:
        problems.append(Problem("choose at least one bank / 请至少选择一个题库", field="banks"))
    for bank in banks:
        if bank not in offered:
            problems.append(
                Problem(
                    f"no bank {bank!r} in {settings.banks_root()}",
                    field="banks",
                    expected=", ".join(sorted(offered)) or "a .jsonl file there",
                )
            )
    if not re.match(r"^https?://[^\s/]+", target_url.strip()):
        problems.append(
            Problem("not an http(s) URL / 不是有效的网址", field="target_url", expected="http://host:port/v1")
        )
    if not model.strip():
        problems.append(Problem("the model name is empty / 请填写模型名称", field="model"))
    if api_key_env.strip() and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", api_key_env.strip()):
        problems.append(
            Problem("not an environment variable name", field="api_key_env", expected="e.g. TARGET_API_KEY")
        )
    judge_list = [j.strip() for j in judges.split(",") if j.strip()] or ["refusal"]
    if sample is not None and sample < 1:
        problems.append(Problem("must be at least 1", field="sample"))
    if problems:
        raise InputError(problems=problems)
    params: dict[str, Any] = {
        "banks": [str(settings.banks_root() / b) for b in banks],
        "target_url": target_url.strip(),
        "model": model.strip(),
        "api_key_env": api_key_env.strip() or None,
        "judges": judge_list,
        "sample": sample,
        "seed": seed,
        "out": str(settings.evaluation_runs_dir() / run_name),
    }
    return enqueue_job(session, kind="evaluation", params=params, actor=actor, message=run_name)


def start_corpus_scan(
    session: Session,
    settings: Settings,
    *,
    name: str,
    corpus: list[str],
    sources: str,
    keywords: str = "",
    sample_rate: float = 0.1,
    seed: int = 0,
    actor: Actor,
    service_id: int | None = None,
) -> Job:
    """Queue a corpus scan into the corpus run folder (server-side paths; the scan resumes by name)."""
    problems: list[Problem] = []
    run_name = _name(name, "name", problems)
    library = Path(keywords) if keywords.strip() else settings.keyword_paths()[0]
    if not corpus:
        problems.append(Problem("give at least one corpus file or folder", field="corpus"))
    for c in corpus:
        if not Path(c).exists():
            problems.append(Problem(f"not found: {c}", field="corpus"))
    if not Path(sources).is_file():
        problems.append(Problem(f"not found: {sources}", field="sources", expected="a sources.yaml file"))
    if not library.is_file():
        problems.append(Problem(f"not found: {library}", field="keywords", expected="a keyword library CSV"))
    if problems:
        raise InputError(problems=problems)
    params = {
        "corpus": [str(Path(c).resolve()) for c in corpus],
        "sources": str(Path(sources).resolve()),
        "keywords": str(library.resolve()),
        "sample_rate": sample_rate,
        "seed": seed,
        "out": str(settings.corpus_runs() / run_name),
    }
    return enqueue_job(
        session, kind="corpus_scan", params=params, actor=actor, service_id=service_id, message=run_name
    )


def start_job(
    session: Session, settings: Settings, *, kind: str, fields: dict[str, Any], actor: Actor
) -> Job:
    """The API's entry for evaluations and corpus scans: ``fields`` are the keyword arguments of
    ``start_<kind>`` (a dossier build starts from its filing, ``/api/filings/{id}/dossier/build``)."""
    starters: dict[str, Callable[..., Job]] = {
        "evaluation": start_evaluation,
        "corpus_scan": start_corpus_scan,
    }
    starter = starters.get(kind)
    if starter is None:
        raise InputError(f"unknown job kind {kind!r}", field="kind", expected="evaluation or corpus_scan")
    try:
        return starter(session, settings, actor=actor, **fields)
    except TypeError as exc:
        raise InputError(f"wrong parameters for a {kind} job: {exc}", field="params") from None
