"""Run the evaluation harness's judges on sampled corpus items (a corpus item is judged as an answer with no
prompt). A judge that cannot decide returns an error verdict; the item then counts as flagged, never as
qualified, as everywhere else in aibeian."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from aibeian.corpus._settings import ScanSettings

__all__ = ["check_judges", "judge_selected"]

BATCH = 64


def _context(settings: ScanSettings) -> Any:
    from aibeian.evaluation import api_key_from_env
    from aibeian.evaluation.judges import JudgeContext

    return JudgeContext(
        judge_url=settings.judge_url,
        judge_model=settings.judge_model,
        judge_api_key=api_key_from_env(settings.judge_api_key_env),
        **settings.judge_options,
    )


def check_judges(settings: ScanSettings) -> list[dict[str, Any]]:
    """Build each judge once up front, so a wrong name or missing endpoint fails before any shard runs."""
    from aibeian.evaluation.judges import JudgeSpec, build_judge

    described = []
    for spec in settings.judges:
        judge = build_judge(JudgeSpec.parse(spec), _context(settings))
        described.append(judge.describe())
        asyncio.run(judge.aclose())
    return described


def judge_selected(
    settings: ScanSettings, items: Iterable[tuple[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """Verdicts (as dicts) of every configured judge for each (key, text), batch by batch."""
    return asyncio.run(_judge_all(settings, items))


async def _judge_all(
    settings: ScanSettings, items: Iterable[tuple[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    from aibeian.evaluation.judges import JudgeInput, JudgeSpec, build_judge

    judges = [build_judge(JudgeSpec.parse(spec), _context(settings)) for spec in settings.judges]
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        batch: list[tuple[str, str]] = []
        for pair in items:
            batch.append(pair)
            if len(batch) >= BATCH:
                await _run_batch(judges, batch, out, JudgeInput)
                batch = []
        if batch:
            await _run_batch(judges, batch, out, JudgeInput)
    finally:
        for judge in judges:
            await judge.aclose()
    return out


async def _run_batch(
    judges: list[Any], batch: list[tuple[str, str]], out: dict[str, list[dict[str, Any]]], judge_input: Any
) -> None:
    calls = [
        judge.judge(judge_input(id=key, prompt="", response=text)) for key, text in batch for judge in judges
    ]
    verdicts = await asyncio.gather(*calls)
    for i, (key, _) in enumerate(batch):
        found = verdicts[i * len(judges) : (i + 1) * len(judges)]
        out[key] = [
            {
                "judge": v.judge,
                "safe": v.safe,
                "categories": list(v.categories),
                "error": v.error,
                "refusal": v.refusal,
            }
            for v in found
        ]
