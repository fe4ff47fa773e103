"""Starting a job from the workbench or the API: check what a person entered, resolve it to absolute paths
under the configured folders, and enqueue. Every problem is an ``InputError`` naming its form field, so
the screen can show it next to that field; nothing is queued unless every input is right.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from aibeian.errors import InputError, Problem
from aibeian.settings import Settings
from aibeian.storage import Actor, Job, enqueue_job

__all__ = [
    "CORPUS_FORMATS",
    "NAME_PATTERN",
    "bank_files",
    "corpus_engines",
    "corpus_sample_rate_minimum",
    "start_corpus_scan",
    "start_evaluation",
    "start_job",
]

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


CORPUS_FORMATS = ".jsonl, .ndjson, .parquet, .txt or .md (optionally .gz or .zst), or a folder of them"


def corpus_sample_rate_minimum() -> float:
    """The standard's minimum technical sample (``corpus_technical_sample_min_fraction``), also the default."""
    from aibeian.standards import load_standards

    return float(load_standards().threshold("corpus_technical_sample_min_fraction").value)


def corpus_engines() -> list[str]:
    """Scan engines a job may use: local always, ray only where it is installed."""
    return ["local", "ray"] if importlib.util.find_spec("ray") is not None else ["local"]


def _corpus_path_problem(path: Path) -> str | None:
    """Why the scanner could not read ``path`` (None when it can); a folder needs one readable file in it."""
    from aibeian.corpus._readers import detect_format

    if not path.exists():
        return "not found / 不存在"
    if path.is_dir():
        if not os.access(path, os.R_OK | os.X_OK):
            return "the folder is not readable / 目录不可读"
        if not any(f.is_file() and detect_format(f) for f in path.rglob("*")):
            return "the folder holds no file of a supported format / 目录中没有支持格式的文件"
        return None
    if not os.access(path, os.R_OK):
        return "not readable / 不可读"
    if detect_format(path) is None:
        return "not a supported corpus format / 不支持的语料格式"
    return None


def _sources_problems(path: Path) -> list[Problem]:
    """sources.yaml as the scan will load it; its own problems (with their lines) on the ``sources`` field."""
    from aibeian.corpus import load_sources

    if not path.is_file() or not os.access(path, os.R_OK):
        return [
            Problem(
                f"not found or not readable: {path} / 文件不存在或不可读",
                field="sources",
                expected="a sources.yaml file",
            )
        ]
    try:
        load_sources(path)
    except InputError as exc:
        return [Problem(f"{path.name}: {p}", field="sources") for p in exc.problems]
    return []


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
    sample_rate: float | None = None,
    seed: int = 0,
    engine: str = "local",
    actor: Actor,
    service_id: int | None = None,
) -> Job:
    """Queue a corpus scan into the corpus run folder (server-side paths; the scan resumes by name).

    The one check of a scan's inputs, shared by ``POST /api/jobs`` and the corpus screen's form, so that a
    mistake is named on its field here instead of failing minutes later in the worker: every corpus path
    exists, is readable and is (or holds) a format the scanner reads; sources.yaml parses; the library is a
    readable file; the sample rate is within the standard's minimum and 1 (default: that minimum); the
    engine is one that is installed."""
    problems: list[Problem] = []
    run_name = _name(name, "name", problems)
    library = Path(keywords) if keywords.strip() else settings.keyword_paths()[0]
    if not corpus:
        problems.append(
            Problem("give at least one corpus file or folder / 请至少提供一个语料文件或目录", field="corpus")
        )
    for c in corpus:
        problem = _corpus_path_problem(Path(c))
        if problem:
            problems.append(Problem(f"{c}: {problem}", field="corpus", expected=CORPUS_FORMATS))
    problems.extend(_sources_problems(Path(sources)))
    if not library.is_file() or not os.access(library, os.R_OK):
        problems.append(
            Problem(
                f"not found or not readable: {library} / 文件不存在或不可读",
                field="keywords",
                expected="a keyword library CSV",
            )
        )
    minimum = corpus_sample_rate_minimum()
    rate = minimum if sample_rate is None else sample_rate
    if not minimum <= rate <= 1:
        problems.append(
            Problem(
                f"sample rate {rate:g} is outside the standard's range / 抽样比例不符合标准要求",
                field="sample_rate",
                expected=f"a fraction from {minimum:g} (the standard's minimum) to 1",
            )
        )
    if seed < 0:
        problems.append(Problem("the seed must not be negative / 随机种子不能为负数", field="seed"))
    if engine not in corpus_engines():
        problems.append(
            Problem(
                f"engine {engine!r} is not available / 扫描引擎不可用",
                field="engine",
                expected=" or ".join(corpus_engines()),
            )
        )
    if problems:
        raise InputError(problems=problems)
    params = {
        "corpus": [str(Path(c).resolve()) for c in corpus],
        "sources": str(Path(sources).resolve()),
        "keywords": str(library.resolve()),
        "sample_rate": rate,
        "seed": seed,
        "engine": engine,
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
