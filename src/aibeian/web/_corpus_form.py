"""The corpus screen's "start a corpus scan" form and its "draw the manual sample" action.

The form takes what a person types (strings) and uploads, turns them into the arguments of
``aibeian.jobs.start_corpus_scan`` — the same check and the same job kind as ``POST /api/jobs`` — and
collects every problem on its field so the screen shows them all at once, next to the fields. An uploaded
corpus or sources.yaml goes through the shared upload rules (``_uploads.receive_upload``: the
``AIBEIAN_UPLOAD_MAX_MB`` limit, accepted types, content sniffing) into ``home/uploads/corpus``, where it
stays: the scan resumes from it and the manual sample re-reads it later. A refused form removes its uploads.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import UploadFile
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from aibeian.corpus import RunDir, draw_manual_sample, thresholds
from aibeian.corpus._readers import COMPRESSIONS, FORMATS
from aibeian.corpus._review import SAMPLE_FILE
from aibeian.errors import InputError, Problem
from aibeian.jobs._start import corpus_engines, corpus_sample_rate_minimum, start_corpus_scan
from aibeian.settings import Settings
from aibeian.storage import Actor, Job
from aibeian.web._uploads import receive_upload

__all__ = [
    "CORPUS_SUFFIXES",
    "ScanForm",
    "draw_sample",
    "form_defaults",
    "manual_sample_size",
    "start_scan",
]

CORPUS_SUFFIXES: tuple[str, ...] = tuple(sorted({*FORMATS, *COMPRESSIONS}))
SOURCES_SUFFIXES = (".yaml", ".yml")

# first bytes of the corpus formats ``_uploads.sniff_problem`` does not know (it checks the text ones)
_CORPUS_MAGIC = {
    ".gz": b"\x1f\x8b",
    ".zst": b"\x28\xb5\x2f\xfd",
    ".zstd": b"\x28\xb5\x2f\xfd",
    ".parquet": b"PAR1",
}


@dataclass
class ScanForm:
    """The form as typed: every value a string, so a refused form shows exactly what was entered."""

    name: str = ""
    corpus: str = ""
    sources: str = ""
    keywords: str = ""
    sample_rate: str = ""
    seed: str = "0"
    engine: str = "local"
    uploads: dict[str, UploadFile | None] = field(default_factory=dict)

    def values(self) -> dict[str, str]:
        return {
            k: getattr(self, k)
            for k in ("name", "corpus", "sources", "keywords", "sample_rate", "seed", "engine")
        }

    def corpus_paths(self) -> list[str]:
        """One server path per line (blank lines ignored)."""
        return [line.strip() for line in self.corpus.splitlines() if line.strip()]


def form_defaults(settings: Settings) -> dict[str, Any]:
    """What the empty form shows: the workbench's keyword library, the standard's minimum sample rate (the
    default), the engines that can run here, and the upload limit."""
    minimum = corpus_sample_rate_minimum()
    return {
        "keywords": str(settings.keyword_paths()[0]),
        "sample_rate": f"{minimum:g}",
        "sample_rate_min": minimum,
        "engines": corpus_engines(),
        "accept": CORPUS_SUFFIXES,
        "max_mb": settings.upload_max_mb,
        "uploads_folder": str(settings.home / "uploads" / "corpus"),
    }


def _number(text: str, kind: type[float] | type[int], name: str, problems: list[Problem]) -> Any:
    try:
        return kind(text.strip())
    except ValueError:
        what = "a number / 须为数字" if kind is float else "a whole number / 须为整数"
        problems.append(Problem(f"not {what}", field=name))
        return None


def _magic_problem(path: Path) -> str | None:
    expected = _CORPUS_MAGIC.get(path.suffix.lower())
    if expected is None:
        return None
    with path.open("rb") as f:
        head = f.read(len(expected))
    if head != expected:
        return f"the content is not a {path.suffix} file / 文件内容与扩展名 {path.suffix} 不符"
    return None


async def _upload(
    upload: UploadFile | None,
    settings: Settings,
    *,
    accept: tuple[str, ...],
    field_name: str,
    received: list[Path],
    problems: list[Problem],
) -> Path | None:
    """Receive one optional upload; None when nothing was chosen or it was refused (problem on its field)."""
    if upload is None or not upload.filename:
        return None
    try:
        path = await receive_upload(
            upload,
            folder=settings.home / "uploads" / "corpus",
            accept=accept,
            max_bytes=settings.upload_max_mb << 20,
            field=field_name,
        )
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    received.append(path)
    problem = _magic_problem(path)
    if problem:
        problems.append(Problem(problem, field=field_name))
        return None
    return path


async def start_scan(session: Session, settings: Settings, form: ScanForm, *, actor: Actor) -> Job:
    """Queue the corpus scan the form describes, or raise ``InputError`` with every problem on its field.

    On ``InputError`` the caller rolls the session back (the job may have been added before a problem of
    the form layer, e.g. a seed that is not a number, was found) and the uploads are already removed."""
    problems: list[Problem] = []
    received: list[Path] = []
    try:
        corpus = form.corpus_paths()
        uploaded = await _upload(
            form.uploads.get("corpus_file"),
            settings,
            accept=CORPUS_SUFFIXES,
            field_name="corpus_file",
            received=received,
            problems=problems,
        )
        if uploaded is not None:
            corpus.append(str(uploaded))
        sources = form.sources.strip()
        sources_upload = await _upload(
            form.uploads.get("sources_file"),
            settings,
            accept=SOURCES_SUFFIXES,
            field_name="sources_file",
            received=received,
            problems=problems,
        )
        if sources_upload is not None:
            sources = str(sources_upload)
        refused = {p.field for p in problems}
        if not sources and "sources_file" not in refused:
            problems.append(
                Problem(
                    "give the sources.yaml path or upload it / 请填写 sources.yaml 路径或上传该文件",
                    field="sources",
                )
            )
        rate = _number(form.sample_rate, float, "sample_rate", problems) if form.sample_rate.strip() else None
        seed = _number(form.seed, int, "seed", problems) if form.seed.strip() else 0
        # a field the form already refused (or left empty) is not checked again by the shared validation
        skip = {p.field for p in problems}
        if not corpus and "corpus_file" in refused:
            skip.add("corpus")
        if not sources:
            skip.add("sources")
        try:  # in a thread: the checks read sources.yaml and may walk a corpus folder
            job = await run_in_threadpool(
                start_corpus_scan,
                session,
                settings,
                name=form.name,
                corpus=corpus,
                sources=sources,
                keywords=form.keywords,
                sample_rate=rate,
                seed=seed if seed is not None else 0,
                engine=form.engine,
                actor=actor,
            )
        except InputError as exc:
            problems.extend(p for p in exc.problems if p.field not in skip)
        if problems:
            raise InputError(problems=problems)
    except BaseException:
        for path in received:
            shutil.rmtree(path.parent, ignore_errors=True)
        raise
    return job


def manual_sample_size() -> int:
    """The standard's minimum manual spot check (``corpus_manual_sample_min_items``), the default draw."""
    return int(thresholds()["corpus_manual_sample_min_items"])


def draw_sample(run: RunDir, n_text: str) -> int:
    """Draw the run's manual review sample (``aibeian corpus sample``); returns how many items were drawn."""
    text = n_text.strip()
    try:
        n = int(text) if text else manual_sample_size()
    except ValueError:
        raise InputError("not a whole number / 须为整数", field="n", expected="e.g. 4000") from None
    if n <= 0:
        raise InputError(
            "the sample size must be positive / 抽样条数须为正数", field="n", expected="e.g. 4000"
        )
    if (run.path / SAMPLE_FILE).is_file():  # a redraw of another size would orphan recorded verdicts
        raise InputError(
            "this run already has its manual sample / 此运行已抽取人工抽检样本",
            field="n",
            expected="aibeian corpus sample on the command line to draw again",
        )
    status = run.meta().get("status")
    if status != "complete":
        raise InputError(
            f"the scan is {status}, not complete / 扫描尚未完成",
            field="n",
            expected="a finished scan (rerun or resume it first)",
        )
    try:
        return len(draw_manual_sample(run, n))
    except InputError as exc:
        raise InputError(problems=[_on_field(p, "n") for p in exc.problems]) from None


def _on_field(p: Problem, name: str) -> Problem:
    """The library names its CLI option (``--n``); the form shows it next to its own field."""
    return Problem(p.message, path=p.path, line=p.line, column=p.column, field=name, expected=p.expected)
