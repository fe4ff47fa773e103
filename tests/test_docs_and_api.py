"""Docs that cannot drift: every command has help and is in docs/cli.md, every setting is in
docs/settings.md, every risk id is in the user docs; and the public API lists are pinned."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click
import pytest

from aibeian.cli.main import cli
from aibeian.settings import Settings
from aibeian.standards import load_standards

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import doc_examples

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def commands(command: click.Command, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            found += commands(sub, (*path, name))
    return found


def test_every_command_has_help_and_is_in_cli_md() -> None:
    cli_md = (DOCS / "cli.md").read_text(encoding="utf-8")
    for path, command in commands(cli, ("aibeian",)):
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
        assert f"## `{' '.join(path)}`" in cli_md, (
            f"{' '.join(path)} is missing from docs/cli.md: run make docs"
        )


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"AIBEIAN_{name.upper()}" in text, f"AIBEIAN_{name.upper()} is missing from docs/settings.md"


def test_every_risk_id_is_in_the_user_docs() -> None:
    text = (DOCS / "standards.md").read_text(encoding="utf-8")
    for risk in load_standards().risks:
        assert f"| {risk.id} |" in text, f"{risk.id} is missing from docs/standards.md"


PUBLIC_API = {
    "aibeian": ["__version__"],
    "aibeian.checklist": [
        "ANSWER_VALUES",
        "LAWS",
        "Answer",
        "Answers",
        "ArticleRef",
        "Checklist",
        "ChecklistItem",
        "ChecklistResult",
        "Fulfilled",
        "Gap",
        "Instrument",
        "LawProgress",
        "applicable_items",
        "assess",
        "check_answers",
        "load_answers",
        "load_checklist",
        "load_triage_result",
        "open_conditions",
        "render_items",
        "render_result",
    ],
    "aibeian.errors": [
        "AibeianError",
        "EngineError",
        "InputError",
        "MissingDependencyError",
        "Problem",
        "StandardsDataError",
        "StorageError",
        "TargetError",
    ],
    "aibeian.files": [
        "LocatedDocument",
        "atomic_output",
        "atomic_write_bytes",
        "atomic_write_text",
        "load_structured",
        "packaged_yaml",
        "parse_structured",
        "read_text",
    ],
    "aibeian.registry": ["Registry"],
    "aibeian.settings": ["Settings"],
    "aibeian.standards": [
        "DATA_FILES",
        "Aspect",
        "Document",
        "Filing",
        "FilingRules",
        "Question",
        "Questionnaire",
        "Risk",
        "RiskGroup",
        "Standards",
        "Status",
        "Threshold",
        "data_text",
        "load_standards",
    ],
    "aibeian.obligations": [
        "CalendarRangeError",
        "Duty",
        "FiledService",
        "ObligationsConfig",
        "ParsedNumber",
        "add_working_days",
        "assess_changes",
        "change_kinds",
        "check_page",
        "display_check",
        "duties_to_ics",
        "find_numbers",
        "is_working_day",
        "load_config",
        "obligations_for",
        "package_knows",
        "parse_filing_number",
        "use_holiday_file",
        "with_keyword_store",
        "working_days_between",
    ],
    "aibeian.corpus": [
        "Agreement",
        "Corrupt",
        "Item",
        "Plan",
        "ReviewState",
        "RunDir",
        "ScanProgress",
        "ScanSettings",
        "Shard",
        "Source",
        "SourcesConfig",
        "agreement",
        "allocate",
        "assess",
        "assess_run",
        "claim",
        "claimed_by_others",
        "draw_manual_sample",
        "import_reviews",
        "item_hashes",
        "iter_items",
        "load_sources",
        "manual_summary",
        "plan_shards",
        "prepare_settings",
        "record_verdict",
        "review_state",
        "scan",
        "scan_shard",
        "technical_count",
        "thresholds",
        "write_review_file",
    ],
    "aibeian.complaints": [
        "CLOSED_STATUSES",
        "COLUMNS",
        "STATUSES",
        "STATUS_WORDS",
        "TRANSITIONS",
        "Attachment",
        "Category",
        "Clock",
        "ClockState",
        "ComplaintDraft",
        "ComplaintPolicy",
        "ComplaintRecord",
        "MonthStats",
        "Pause",
        "SubmissionLimiter",
        "check_attachment",
        "check_idempotency_key",
        "check_transition",
        "complaint_clock",
        "draft_complaint",
        "export_complaints",
        "export_rows",
        "load_policy",
        "local_date",
        "local_iso",
        "monthly_stats",
        "new_tracking_number",
        "normalise_tracking_number",
        "paused_days",
        "safe_filename",
        "sniff",
        "to_csv_bytes",
        "to_xlsx_bytes",
    ],
    "aibeian.dossier": [
        "CheckResult",
        "ChecklistUse",
        "Facts",
        "FieldDef",
        "RunSummary",
        "build_dossier",
        "check_dossier",
        "documents_for",
        "field_defs",
        "fields_for",
        "init_facts_text",
        "load_facts",
        "load_run",
        "load_triage",
        "package",
        "use_checklist",
        "verify_package",
    ],
    "aibeian.triage": [
        "FilingNeed",
        "PrerequisiteState",
        "RuleRef",
        "SecurityAssessmentNeed",
        "Timeline",
        "TriageAnswers",
        "TriageResult",
        "answers_from_document",
        "assess",
        "load_answers",
        "render_markdown",
        "render_text",
    ],
}


@pytest.mark.parametrize("module", sorted(PUBLIC_API))
def test_public_api_is_pinned(module: str) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(PUBLIC_API[module]), f"{module}.__all__ changed: update this pin"
    for name in mod.__all__:
        assert hasattr(mod, name)


def test_python_dash_m_and_version() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "aibeian", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("aibeian, version")


def test_console_examples_in_every_guide_print_what_the_guide_says() -> None:
    """`$ aibeian …` blocks in docs/*.md are refreshed by `make docs`; here they are run and compared."""
    checked = 0
    for guide in sorted(DOCS.glob("*.md")):
        for command, expected in doc_examples.examples(guide.read_text(encoding="utf-8")):
            assert doc_examples.run(command) == expected, f"{guide.name}: {command}"
            checked += 1
    assert checked >= 5


def test_console_examples_may_continue_over_lines() -> None:
    text = "```console\n$ aibeian standards \\\n    risks --format json\n...\n```"
    [(command, _)] = list(doc_examples.examples(text))
    assert doc_examples.command_args(command) == ["standards", "risks", "--format", "json"]
