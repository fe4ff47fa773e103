"""A filing's dossier as the workbench keeps it: ``<dossier_dir>/filing-<id>/facts.yaml`` in exactly the
format ``aibeian dossier check`` reads (so the CLI and the screen share one file), ``options.json`` with the
runs, banks and language chosen for the build, and ``builds/<stamp>/`` per build job.

The form is decoded into that YAML and validated by the dossier package itself (``load_facts``); the file
is replaced only when it loads, so a bad entry never overwrites good facts. Completeness is
``dossier.check_dossier``; building is a background job running ``build_dossier`` and ``package``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from aibeian.dossier import (
    CheckResult,
    Facts,
    FieldDef,
    check_dossier,
    documents_for,
    fields_for,
    init_facts_text,
    load_facts,
    load_run,
    use_checklist,
)
from aibeian.errors import InputError, Problem
from aibeian.files import atomic_write_text
from aibeian.jobs import bank_files
from aibeian.settings import Settings
from aibeian.storage import Actor, Filing, Job, enqueue_job, latest_triage

__all__ = [
    "BuildOptions",
    "Completeness",
    "completeness",
    "decode_form",
    "form_values",
    "load_or_init",
    "options_choices",
    "save_facts",
    "save_options",
    "start_dossier_build",
    "workspace",
]

TABLE_ROWS_EXTRA = 2  # empty rows offered under a table's filled ones


def workspace(settings: Settings, filing_id: int) -> Path:
    """The filing's folder, created on first use (a fresh home has none)."""
    folder = settings.dossier_root() / f"filing-{filing_id}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_or_init(session: Session, settings: Settings, filing: Filing) -> Facts:
    """The filing's facts; the first visit writes ``dossier init``'s file (pre-filled from the service's
    latest triage when it calls for this filing)."""
    path = workspace(settings, filing.id) / "facts.yaml"
    if not path.is_file():
        record = latest_triage(session, service_id=filing.service_id)
        text = None
        if record is not None:
            try:
                text = init_facts_text(filing.type, triage=record.result)  # type: ignore[arg-type]
            except InputError:
                text = None  # the triage does not call for this filing: start empty
        atomic_write_text(path, text or init_facts_text(filing.type))  # type: ignore[arg-type]
    return load_facts(path)


def fields_of(facts: Facts) -> list[FieldDef]:
    return fields_for(documents_for(facts.filing, calls_third_party_model=facts.calls_third_party_model))


def _display(f: FieldDef, value: Any) -> Any:
    if value is None:
        return [] if f.type == "table" else ""
    if f.type == "list":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if f.type == "table":
        return value if isinstance(value, list) else []
    return value


def form_values(facts: Facts) -> dict[str, Any]:
    """What each input shows: text as is, lists one item per line, tables as rows of cells."""
    values: dict[str, Any] = {f.path: _display(f, facts.get(f.path)) for f in fields_of(facts)}
    values["role"] = facts.role
    values["calls_third_party_model"] = facts.calls_third_party_model
    return values


def _number(text: str, kind: str) -> Any:
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        return text  # the dossier package reports the wrong type against this field


def _decode(f: FieldDef, form: Mapping[str, Any]) -> Any:
    if f.type == "table":
        rows = []
        for i in range(200):
            cells = {c: str(form.get(f"{f.path}.{i}.{c}", "")).strip() for c in f.columns}
            if not any(f"{f.path}.{i}.{c}" in form for c in f.columns):
                break
            if any(cells.values()):
                rows.append(cells)
        return rows
    raw = form.get(f.path)
    text = "" if raw is None else str(raw).strip()
    if f.type == "list":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if f.type == "bool":
        return text in ("on", "true", "1", "yes")
    if not text:
        return None if f.type in ("int", "number", "date", "bool") else ""
    if f.type in ("int", "number"):
        return _number(text, f.type)
    return text


def decode_form(facts: Facts, form: Mapping[str, Any]) -> str:
    """The facts file text for the submitted form (values for fields not on the form are kept)."""
    third = str(form.get("calls_third_party_model", "")).lower() in ("on", "true", "1", "yes")
    data: dict[str, Any] = {
        "filing": facts.filing,
        "role": str(form.get("role") or facts.role),
        "calls_third_party_model": third,
    }
    values = dict(facts.values)
    for f in fields_for(documents_for(facts.filing, calls_third_party_model=third)):
        values[f.path] = _decode(f, form)
    for path, value in values.items():
        node = data
        *parents, leaf = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    header = f"# aibeian 备案材料事实文件 / dossier facts — {facts.filing} (saved from the workbench)\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def save_facts(settings: Settings, filing_id: int, text: str) -> Facts:
    """Validate ``text`` with ``load_facts`` and only then replace the filing's facts file."""
    folder = workspace(settings, filing_id)
    candidate = folder / "facts.yaml.new"
    atomic_write_text(candidate, text)
    try:
        facts = load_facts(candidate)
    except InputError as exc:
        candidate.unlink(missing_ok=True)
        problems = [
            Problem(f"填写有误 / {p.message}", field=p.field, expected=p.expected) for p in exc.problems
        ]
        raise InputError(problems=problems) from None
    candidate.replace(folder / "facts.yaml")
    facts.path = str(folder / "facts.yaml")
    return facts


@dataclass
class BuildOptions:
    runs: list[str] = field(default_factory=list)  # "evaluation:NAME" or "corpus:NAME"
    banks: list[str] = field(default_factory=list)
    lang: str = "zh"
    keywords: bool = True


def load_options(settings: Settings, filing_id: int) -> BuildOptions:
    path = workspace(settings, filing_id) / "options.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return BuildOptions()
    return BuildOptions(
        runs=[str(r) for r in data.get("runs", [])],
        banks=[str(b) for b in data.get("banks", [])],
        lang="en" if data.get("lang") == "en" else "zh",
        keywords=bool(data.get("keywords", True)),
    )


def options_choices(settings: Settings) -> dict[str, list[str]]:
    """The runs and banks a person may choose from: folders under the configured run and bank folders."""

    def runs(root: Path, prefix: str) -> list[str]:
        if not root.is_dir():
            return []
        return sorted(f"{prefix}:{p.name}" for p in root.iterdir() if (p / "run.json").is_file())

    return {
        "runs": runs(settings.evaluation_runs_dir(), "evaluation") + runs(settings.corpus_runs(), "corpus"),
        "banks": bank_files(settings),
    }


def save_options(settings: Settings, filing_id: int, options: BuildOptions) -> BuildOptions:
    choices = options_choices(settings)
    problems = [
        Problem(f"no run {r!r}", field="runs", expected="a run under the runs folders")
        for r in options.runs
        if r not in choices["runs"]
    ]
    problems += [Problem(f"no bank {b!r}", field="banks") for b in options.banks if b not in choices["banks"]]
    if problems:
        raise InputError(problems=problems)
    text = json.dumps(options.__dict__, ensure_ascii=False, indent=2) + "\n"
    atomic_write_text(workspace(settings, filing_id) / "options.json", text)
    return options


def _paths(
    settings: Settings, options: BuildOptions, facts: Facts, service_id: int | None = None
) -> dict[str, Any]:
    roots = {"evaluation": settings.evaluation_runs_dir(), "corpus": settings.corpus_runs()}
    runs = [str(roots[r.split(":", 1)[0]] / r.split(":", 1)[1]) for r in options.runs if ":" in r]
    library = settings.keyword_paths()[0]
    wants_keywords = options.keywords and "keyword-list" in facts.documents and library.is_file()
    return {
        "runs": runs,
        "banks": [str(settings.banks_root() / b) for b in options.banks],
        "keywords": str(library) if wants_keywords else None,
        "checklist": _checklist_answers(settings, service_id),
        "lang": options.lang,
    }


def _checklist_answers(settings: Settings, service_id: int | None) -> str | None:
    """The service's answers from the checklist screen, the same file ``dossier --checklist`` reads: its
    gaps show in the completeness check and its evidence is cited in the built documents."""
    from aibeian.web._checklist_store import answers_path

    if service_id is None:
        return None
    path = answers_path(settings, service_id)
    return str(path) if path.is_file() else None


@dataclass
class Completeness:
    result: CheckResult
    filled: int
    required: int
    problems: list[str]

    @property
    def percent(self) -> int:
        return 100 if not self.required else (100 * self.filled) // self.required


def completeness(
    settings: Settings, filing_id: int, facts: Facts, *, service_id: int | None = None
) -> Completeness:
    """``check_dossier`` over the facts and the chosen runs and banks, plus how many required fields are
    filled; a run or bank that cannot be read is listed rather than failing the page."""
    paths = _paths(settings, load_options(settings, filing_id), facts, service_id)
    problems: list[str] = []
    runs = []
    for r in paths["runs"]:
        try:
            runs.append(load_run(r))
        except InputError as exc:
            problems.append(str(exc))
    keywords = Path(paths["keywords"]) if paths["keywords"] else None
    banks = [Path(b) for b in paths["banks"]]
    checklist = None
    if paths["checklist"]:
        try:
            checklist = use_checklist(paths["checklist"], facts)
        except InputError as exc:  # a broken answers file is named, not fatal to the page
            problems.append(str(exc))
    try:
        result = check_dossier(facts, runs, keywords=keywords, banks=banks, checklist=checklist)
    except InputError as exc:  # an unreadable library or bank: say so, and check the facts alone
        problems.append(str(exc))
        result = check_dossier(facts, runs)
    required = [f for f in fields_of(facts) if not f.optional]
    filled = sum(1 for f in required if not facts.is_empty(f.path))
    return Completeness(result, filled, len(required), problems)


def start_dossier_build(
    session: Session, settings: Settings, *, filing: Filing, actor: Actor, lang: str | None = None
) -> Job:
    """Queue a build of the filing's dossier from its saved facts and options into a new build folder."""
    facts = load_facts(workspace(settings, filing.id) / "facts.yaml")
    options = load_options(settings, filing.id)
    params = _paths(settings, options, facts, filing.service_id)
    if lang in ("zh", "en"):
        params["lang"] = lang
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)
    params |= {
        "facts": facts.path,
        "filing_id": filing.id,
        "out": str(workspace(settings, filing.id) / "builds" / stamp),
    }
    message = f"{filing.service.name} · {filing.type}"
    return enqueue_job(
        session,
        kind="dossier_build",
        params=params,
        actor=actor,
        service_id=filing.service_id,
        message=message,
    )
