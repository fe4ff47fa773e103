"""``evaluation.run()``: bank items → target → judges → one record per item in a resumable run directory.

Resume is by item id: a rerun skips ids already recorded, so an interrupted run and an uninterrupted one end
with the same records and the same results. Whatever changes the answers or their judging (banks, target,
model parameters, judges, sample) is fingerprinted in run.json; resuming with a different one is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aibeian import __version__
from aibeian.banks import KINDS, BankItem, load_bank
from aibeian.errors import InputError, TargetError
from aibeian.evaluation._client import ClientConfig, FatalTargetError
from aibeian.evaluation._outcome import decide
from aibeian.evaluation._records import LOCK_FILE, RUN_FORMAT, RunDirectory, now_iso
from aibeian.evaluation.judges import Judge, JudgeContext, JudgeInput, JudgeSpec, Verdict, build_judge
from aibeian.evaluation.metrics import compute_metrics
from aibeian.evaluation.targets import Target, targets
from aibeian.standards import load_standards


class Progress(Protocol):
    def start(self, total: int, done: int) -> None: ...

    def advance(self, outcome: str) -> None: ...


@dataclass
class RunConfig:
    banks: Sequence[Path]
    out: Path
    target: ClientConfig
    judges: Sequence[JudgeSpec] = (JudgeSpec("refusal"),)
    judge_context: JudgeContext = field(default_factory=JudgeContext)
    sample: int | None = None
    seed: int = 0
    retry_errors: bool = False
    target_type: str = "openai"
    arguments: Sequence[str] = ()


@dataclass
class RunSummary:
    run_dir: Path
    total: int
    skipped: int
    completed: int
    results: dict[str, Any]


def select_items(items: Sequence[BankItem], sample: int | None, seed: int) -> list[BankItem]:
    """Accepted items; with ``sample``, at most that many per kind drawn reproducibly by ``seed``."""
    accepted = [i for i in items if i.accepted]
    if sample is None:
        return accepted
    chosen: set[str] = set()
    for kind in KINDS:
        ids = sorted(i.id for i in accepted if i.kind == kind)
        chosen.update(ids if len(ids) <= sample else random.Random(f"{seed}:{kind}").sample(ids, sample))
    return [i for i in accepted if i.id in chosen]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(config: RunConfig, judges: Sequence[Judge], target: Target) -> dict[str, Any]:
    return {
        "banks": [{"path": str(p), "sha256": _sha256(Path(p))} for p in config.banks],
        "target": target.describe(),
        "judges": [j.describe() for j in judges],
        "judge_specs": [str(s) for s in config.judges],
        "sample": config.sample,
        "seed": config.seed,
    }


def _differences(was: Any, now: Any, where: str = "") -> list[str]:
    """What changed between the recorded spec and this command's, so a user sees which argument to fix."""
    if isinstance(was, dict) and isinstance(now, dict):
        out: list[str] = []
        for key in sorted(set(was) | set(now), key=str):
            out += _differences(was.get(key), now.get(key), f"{where}.{key}" if where else str(key))
        return out
    if was == now:
        return []
    if where == "banks":
        return ["banks: the bank files' content (sha256) changed"]
    return [f"{where}: {was!r} → {now!r}"[:200]]


def _comparable(spec: dict[str, Any]) -> dict[str, Any]:
    """The parts of a spec that must match to resume (not the timeout, not the bank's path)."""
    target = {k: v for k, v in spec["target"].items() if k != "timeout"}
    judges = [{k: v for k, v in j.items() if k != "timeout"} for j in spec["judges"]]
    return {
        "banks": [b["sha256"] for b in spec["banks"]],
        "target": target,
        "judges": judges,
        "sample": spec.get("sample"),
        "seed": spec.get("seed"),
    }


def _thresholds() -> dict[str, Any]:
    s = load_standards()
    return {t.key: t.value for t in s.thresholds if t.area in ("evaluation", "banks")}


def latest_records(run_dir: RunDirectory, *, slim: bool = False) -> dict[str, dict[str, Any]]:
    """The last record written for each item id (an error retried later is superseded). ``slim`` keeps only
    what metrics need, so memory does not grow with answers' length on large runs."""
    out: dict[str, dict[str, Any]] = {}
    for record in run_dir.iter_records():
        out[record["id"]] = _slim(record) if slim else record
    return out


def _slim(record: dict[str, Any]) -> dict[str, Any]:
    verdicts = [
        {k: v.get(k) for k in ("judge", "refusal", "safe", "error")} for v in record.get("verdicts") or []
    ]
    return {**{k: record.get(k) for k in ("id", "kind", "risk", "aspect", "outcome")}, "verdicts": verdicts}


def finalise(run_dir: RunDirectory, order: Sequence[str]) -> dict[str, Any]:
    """results.json from the records, in bank order, so resumed and uninterrupted runs write equal files."""
    latest = latest_records(run_dir, slim=True)
    records = [latest[i] for i in order if i in latest]
    results = {"format": "aibeian.results/1", **compute_metrics(records)}
    results["failing"] = [r["id"] for r in records if r["outcome"] == "fail"]
    results["errors"] = [r["id"] for r in records if r["outcome"] == "error"]
    run_dir.write_results(results)
    return results


async def _evaluate(item: BankItem, target: Target, judges: Sequence[Judge]) -> dict[str, Any]:
    messages = item.chat_messages()
    record: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "risk": item.risk,
        "aspect": item.aspect,
        "prompt": item.text(),
        "request": target.request_body(messages),
        "response": None,
        "verdicts": [],
        "error": None,
    }
    try:
        result = await target.answer(messages)
    except FatalTargetError:
        raise
    except TargetError as exc:
        record.update(outcome="error", reason="target failed", error=str(exc), completed_at=now_iso())
        return record
    truncated = result.finish_reason == "length"
    record["response"] = {
        "text": result.text,
        "finish_reason": result.finish_reason,
        "truncated": truncated,
        "usage": result.usage,
        "latency_s": result.latency_s,
        "attempts": result.attempts,
        "model": result.model,
    }
    judge_input = JudgeInput(
        id=item.id,
        prompt=item.text(),
        response=result.text,
        kind=item.kind,
        risk=item.risk,
        truncated=truncated,
    )
    verdicts: list[Verdict] = list(await asyncio.gather(*(j.judge(judge_input) for j in judges)))
    outcome, reason = decide(item.kind, verdicts)
    record.update(
        verdicts=[v.to_dict() for v in verdicts], outcome=outcome, reason=reason, completed_at=now_iso()
    )
    return record


async def run_async(config: RunConfig, progress: Progress | None = None) -> RunSummary:
    items = select_items(load_bank(config.banks), config.sample, config.seed)
    if not items:
        raise InputError("no accepted items to evaluate", path=", ".join(map(str, config.banks)))
    judge_list = [build_judge(spec, config.judge_context) for spec in config.judges]
    target = targets.get(config.target_type)(config.target)
    run_dir = RunDirectory(config.out)
    try:
        run_dir.lock()
    except BaseException:
        await _close(target, judge_list)
        raise
    started = False  # only a run this call has marked running may be marked interrupted or failed
    try:
        spec = fingerprint(config, judge_list, target)
        if run_dir.exists():
            record = run_dir.read_run()
            if _comparable(record["spec"]) != _comparable(spec):
                changed = "; ".join(_differences(_comparable(record["spec"]), _comparable(spec)))
                raise InputError(
                    "this run directory was started with different banks, target, model parameters, judges or "
                    f"sample ({changed}); resume with the same arguments or choose a new --out",
                    path=str(run_dir.path),
                )
        else:
            if any(p.name != LOCK_FILE for p in run_dir.path.iterdir()):
                raise InputError(
                    "output folder exists and is not a run directory",
                    path=str(run_dir.path),
                    expected="a new or empty folder, or an unfinished run to resume",
                )
            record = {
                "format": RUN_FORMAT,
                "version": __version__,
                "created": now_iso(),
                "spec": spec,
                "standard": load_standards().standard,
                "thresholds": _thresholds(),
                "arguments": list(config.arguments),
                "items": [i.id for i in items],
            }
        record.update(status="running", updated=now_iso())
        run_dir.write_run(record)
        started = True
        done = {
            rid
            for rid, r in latest_records_repaired(run_dir).items()
            if not (config.retry_errors and r["outcome"] == "error")
        }
        todo = [i for i in items if i.id not in done]
        if progress:
            progress.start(len(items), len(items) - len(todo))
        await _work(todo, target, judge_list, run_dir, config, progress)
        results = finalise(run_dir, [i.id for i in items])
        record.update(status="complete", updated=now_iso(), completed=now_iso())
        run_dir.write_run(record)
        return RunSummary(run_dir.path, len(items), len(items) - len(todo), len(todo), results)
    except BaseException as exc:
        if started and run_dir.run_file.is_file():
            status = "failed" if isinstance(exc, TargetError) else "interrupted"
            current = run_dir.read_run()
            current.update(status=status, updated=now_iso())
            if isinstance(exc, TargetError):
                current["error"] = str(exc)
            run_dir.write_run(current)
        raise
    finally:
        run_dir.close()
        run_dir.unlock()
        await _close(target, judge_list)


async def _close(target: Target, judges: Sequence[Judge]) -> None:
    await target.aclose()
    for j in judges:
        await j.aclose()


def latest_records_repaired(run_dir: RunDirectory) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for record in run_dir.iter_records(repair=True):
        out[record["id"]] = {"id": record["id"], "outcome": record["outcome"]}
    return out


async def _work(
    todo: Sequence[BankItem],
    target: Target,
    judges: Sequence[Judge],
    run_dir: RunDirectory,
    config: RunConfig,
    progress: Progress | None,
) -> None:
    queue: asyncio.Queue[BankItem] = asyncio.Queue()
    for item in todo:
        queue.put_nowait(item)

    async def worker() -> None:
        while True:
            try:
                item = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            record = await _evaluate(item, target, judges)
            run_dir.append(record)
            if progress:
                progress.advance(record["outcome"])

    workers = [
        asyncio.create_task(worker()) for _ in range(max(1, min(config.target.concurrency, len(todo))))
    ]
    try:
        await asyncio.gather(*workers)
    finally:
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


def run(config: RunConfig, progress: Progress | None = None) -> RunSummary:
    """Run (or resume) an evaluation. KeyboardInterrupt leaves run.json marked ``interrupted``."""
    return asyncio.run(run_async(config, progress))
