"""The public API of banks, evaluation and reports, pinned: a change here is a deliberate API change."""

from __future__ import annotations

import importlib

import pytest

PUBLIC_API = {
    "aibeian.banks": [
        "KINDS",
        "BankItem",
        "Coverage",
        "DuplicatePair",
        "ImportResult",
        "Kind",
        "Mapping",
        "augment",
        "builtin_mappings",
        "check_coverage",
        "example_bank_path",
        "find_duplicates",
        "import_dataset",
        "load_bank",
        "load_mapping",
        "new_candidates",
        "normalise_prompt",
        "parse_candidates",
        "parse_item",
        "write_bank",
    ],
    "aibeian.evaluation": [
        "ChatClient",
        "ChatResult",
        "ClientConfig",
        "EvaluationReport",
        "FatalTargetError",
        "Outcome",
        "Progress",
        "RunConfig",
        "RunDirectory",
        "RunSummary",
        "api_key_from_env",
        "build_report",
        "decide",
        "finalise",
        "latest_records",
        "run",
        "run_async",
        "select_items",
        "write_report",
    ],
    "aibeian.evaluation.judges": [
        "REFUSAL_LABELS",
        "Evidence",
        "GuardJudge",
        "Judge",
        "JudgeContext",
        "JudgeInput",
        "JudgeSpec",
        "KeywordsJudge",
        "LLMJudge",
        "RefusalJudge",
        "RefusalLabel",
        "Verdict",
        "build_judge",
        "classify",
        "judge",
        "judges",
        "parse_guard",
        "parse_verdict",
    ],
    "aibeian.evaluation.metrics": [
        "METRICS",
        "Z95",
        "MetricSpec",
        "compute_metrics",
        "judge_disagreement",
        "rate_block",
        "sample_shortfalls",
        "wilson_interval",
    ],
    "aibeian.evaluation.targets": [
        "OpenAITarget",
        "Target",
        "TargetFactory",
        "targets",
    ],
    "aibeian.reports": [
        "Bar",
        "BarChart",
        "Block",
        "Cell",
        "Detail",
        "Document",
        "Heading",
        "Paragraph",
        "Table",
        "Tone",
        "bar_chart_svg",
        "render_html",
        "render_markdown",
        "write_docx",
    ],
}


@pytest.mark.parametrize("module", sorted(PUBLIC_API))
def test_public_api_is_pinned(module: str) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(PUBLIC_API[module])
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name} is listed but missing"


def test_builtin_judges_and_targets_are_registered() -> None:
    from aibeian.evaluation.judges import judges
    from aibeian.evaluation.targets import targets

    assert judges.names() == ["guard", "keywords", "llm", "refusal"]
    assert "openai" in targets.names()
