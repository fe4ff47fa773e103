"""What each job kind runs: the library's own functions (evaluation.run, corpus.assess, dossier.build_dossier
and package), called with the job's JSON parameters inside the worker's child process.

Each kind reports progress through ``Report(done, total, message)`` and returns a small JSON result that
says where its output is. Errors are the library's own (``InputError`` naming file and field, ``TargetError``
…); the worker stores their text as the message a user reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

__all__ = ["KINDS", "JobKind", "Report", "kind_title"]


class Report(Protocol):
    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None: ...


@dataclass(frozen=True)
class JobKind:
    name: str
    zh: str
    en: str
    run: Callable[[dict[str, Any], Report], dict[str, Any]]


class _EvalProgress:
    """``evaluation.Progress``: one call per finished item, counted into the job's done/total."""

    def __init__(self, report: Report) -> None:
        self._report = report
        self.done = 0
        self.total = 0

    def start(self, total: int, done: int) -> None:
        self.total, self.done = total, done
        self._report(done, total, f"{done}/{total}")

    def advance(self, outcome: str) -> None:
        self.done += 1
        self._report(self.done, self.total, f"{self.done}/{self.total} · last: {outcome}")


def run_evaluation(params: dict[str, Any], report: Report) -> dict[str, Any]:
    from aibeian.evaluation import ClientConfig, RunConfig, api_key_from_env, run
    from aibeian.evaluation.judges import JudgeSpec

    target = ClientConfig(
        base_url=str(params["target_url"]),
        model=str(params["model"]),
        api_key=api_key_from_env(params.get("api_key_env") or None),
        concurrency=int(params.get("concurrency") or 8),
        timeout=float(params.get("timeout") or 60.0),
    )
    config = RunConfig(
        banks=[Path(b) for b in params["banks"]],
        out=Path(params["out"]),
        target=target,
        judges=[JudgeSpec.parse(s) for s in params.get("judges") or ["refusal"]],
        sample=params.get("sample"),
        seed=int(params.get("seed") or 0),
        arguments=["workbench job"],
    )
    summary = run(config, _EvalProgress(report))
    return {
        "run_dir": str(summary.run_dir),
        "run": Path(summary.run_dir).name,
        "total": summary.total,
        "completed": summary.completed,
    }


def run_corpus_scan(params: dict[str, Any], report: Report) -> dict[str, Any]:
    from aibeian.corpus import assess

    state = {"done": 0, "total": 0}

    def on_start(progress: Any) -> None:
        state["total"] = int(progress.total_shards)
        state["done"] = int(progress.skipped_shards)
        report(state["done"], state["total"], f"{state['done']}/{state['total']} shards")

    def on_shard(shard: Any, result: dict[str, Any]) -> None:
        state["done"] += 1
        report(state["done"], state["total"], f"{state['done']}/{state['total']} shards")

    assessment = assess(
        [str(c) for c in params["corpus"]],
        sources=params["sources"],
        keywords=params["keywords"],
        out=params["out"],
        engine=str(params.get("engine") or "local"),
        workers=None,  # one per 256 MB up to the CPU count, as the CLI chooses
        sample_rate=float(params.get("sample_rate") or 0.1),
        seed=int(params.get("seed") or 0),
        on_start=on_start,
        on_shard=on_shard,
    )
    conclusion = assessment.get("conclusion") if isinstance(assessment, dict) else None
    return {"run_dir": str(params["out"]), "run": Path(params["out"]).name, "conclusion": conclusion}


def run_dossier_build(params: dict[str, Any], report: Report) -> dict[str, Any]:
    """Build the documents into ``out/documents`` and the verified package ``out/dossier.zip``."""
    from aibeian.dossier import build_dossier, load_facts, load_run, package, use_checklist

    out = Path(params["out"])
    report(0, 3, "reading the facts and runs / 读取事实与运行记录")
    facts = load_facts(params["facts"])
    runs = [load_run(r) for r in params.get("runs") or []]
    lang: Literal["zh", "en"] = "en" if params.get("lang") == "en" else "zh"
    answers = params.get("checklist")
    checklist = use_checklist(answers, facts, lang=lang) if answers else None
    report(1, 3, "writing the documents / 生成文档")
    manifest = build_dossier(
        facts,
        runs,
        out / "documents",
        keywords=Path(params["keywords"]) if params.get("keywords") else None,
        banks=[Path(b) for b in params.get("banks") or []],
        lang=lang,
        checklist=checklist,
    )
    report(2, 3, "packaging / 打包")
    package(out / "documents", out / "dossier.zip")
    return {
        "directory": str(out / "documents"),
        "package": str(out / "dossier.zip"),
        "files": [f["file"] for f in manifest["files"]],
        "not_generated": manifest["not_generated"],
        "filing_id": params.get("filing_id"),
    }


KINDS: dict[str, JobKind] = {
    k.name: k
    for k in (
        JobKind("evaluation", "模型评测", "evaluation run", run_evaluation),
        JobKind("corpus_scan", "语料扫描", "corpus scan", run_corpus_scan),
        JobKind("dossier_build", "备案材料生成", "dossier build", run_dossier_build),
    )
}


def kind_title(name: str, lang: str) -> str:
    kind = KINDS.get(name)
    if kind is None:
        return name
    return kind.en if lang == "en" else kind.zh
