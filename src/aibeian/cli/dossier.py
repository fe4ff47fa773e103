"""``aibeian dossier …``: facts file, completeness check, build, package, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click
from rich.markup import escape

from aibeian.cli._output import console, echo_json, lang_option
from aibeian.dossier import (
    Facts,
    RunSummary,
    build_dossier,
    check_dossier,
    init_facts_text,
    load_facts,
    load_run,
    load_triage,
    package,
    verify_package,
)
from aibeian.dossier._checklist import ChecklistUse, use_checklist
from aibeian.errors import InputError
from aibeian.files import atomic_write_text

FILE = click.Path(path_type=Path)


@click.group()
def dossier() -> None:
    """Filing dossier: the documents in simplified Chinese from a facts file and run records.

    Typical flow: dossier init → fill facts.yaml → dossier check → dossier build → dossier package →
    dossier verify.
    """


@dossier.command("init")
@click.option("--filing", type=click.Choice(["genai", "algorithm", "registration"]), required=True)
@click.option(
    "--from-triage", "triage_file", type=FILE, help="A triage result (aibeian triage --format json)."
)
@click.option("--out", type=FILE, required=True, help="Where to write the facts file (facts.yaml).")
@click.option("--force", is_flag=True, help="Overwrite an existing facts file.")
def init_cmd(
    filing: Literal["genai", "algorithm", "registration"], triage_file: Path | None, out: Path, force: bool
) -> None:
    """Write a facts file with every field the filing's documents need, each with a zh comment and an example."""
    if out.exists() and not force:
        raise InputError("the facts file exists; use --force to overwrite it", path=str(out))
    triage = load_triage(triage_file) if triage_file else None
    atomic_write_text(out, init_facts_text(filing, triage=triage))
    click.echo(f"wrote {out}; fill it in, then run: aibeian dossier check {out}")


def _runs(paths: tuple[Path, ...]) -> list[RunSummary]:
    return [load_run(p) for p in paths]


def _checklist(
    answers: Path | None, triage: Path | None, facts: Facts, lang: str = "zh"
) -> ChecklistUse | None:
    if answers is None:
        if triage is not None:
            raise InputError("--triage only selects checklist items; give --checklist ANSWERS.yaml too")
        return None
    return use_checklist(answers, facts, triage=triage, lang=lang)


CHECKLIST_HELP = (
    "Compliance checklist answers (aibeian checklist answer): gaps are reported, "
    "a yes with evidence is cited in the documents."
)
TRIAGE_HELP = "Triage result (aibeian triage --format json): settles which checklist items apply."


def _value_text(value: object) -> str:
    if isinstance(value, dict):
        return "(" + " ".join(_value_text(v) for v in value.values() if v is not None) + ")"
    if isinstance(value, list):
        shown = ", ".join(_value_text(v) for v in value[:3]) or "—"
        return shown + (f" … ({len(value)} in all; --format json lists them)" if len(value) > 3 else "")
    return "—" if value is None else str(value)


def _entry_text(entry: dict[str, object], facts_file: Path) -> str:
    """One readable line per check entry (the JSON keeps the structure): what, which run, why, the figures."""
    rest = dict(entry)
    head = str(rest.pop("check", None) or rest.pop("field", ""))
    where = [f"run {rest.pop('run')}"] if rest.get("run") else []
    rest.pop("run", None)
    if rest.get("line"):
        where.append(f"{facts_file} line {rest.pop('line')}")
    rest.pop("line", None)
    if "comparison" in rest and "threshold" in rest:
        rest["threshold"] = f"{rest.pop('comparison')} {rest['threshold']}"
    why = rest.pop("why", None)
    text = head + (f" ({', '.join(where)})" if where else "")
    if why:
        text += f": {why}"
    figures = "; ".join(f"{k} {_value_text(v)}" for k, v in rest.items())
    return text + (f" — {figures}" if figures else "")


@dossier.command("check")
@click.argument("facts_file", type=FILE)
@click.option(
    "--runs", "run_dirs", type=FILE, multiple=True, help="Evaluation or corpus run directory (repeatable)."
)
@click.option("--keywords", type=FILE, help="The keyword library (CSV): its quotas are checked too.")
@click.option(
    "--banks",
    type=FILE,
    multiple=True,
    help="Bank files (JSONL): their quotas are checked, and that the evaluation run used them.",
)
@click.option("--checklist", "answers", type=FILE, help=CHECKLIST_HELP)
@click.option("--triage", type=FILE, help=TRIAGE_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check_cmd(
    facts_file: Path,
    run_dirs: tuple[Path, ...],
    keywords: Path | None,
    banks: tuple[Path, ...],
    answers: Path | None,
    triage: Path | None,
    fmt: str,
) -> None:
    """Completeness and consistency: empty fields by document, stated figures that differ from the runs,
    runs missing, unfinished or failing a threshold (evaluation and corpus), an evaluation run made on other
    banks than --banks, keyword-library and bank quotas unmet, and compliance-checklist gaps. Exit 0 only
    when the dossier is ready, 1 otherwise."""
    facts = load_facts(facts_file)
    use = _checklist(answers, triage, facts)
    result = check_dossier(facts, _runs(run_dirs), keywords=keywords, banks=list(banks), checklist=use)
    if fmt == "json":
        echo_json(result.to_dict())
    else:
        c = console()
        for m in result.missing:
            where = f"{facts_file} line {m['line']}" if m.get("line") else str(facts_file)
            line = f"{m['document']}: {m['field']} — {m['what']} ({where})"
            c.print(f"[yellow]missing[/]  {escape(line)}")
        for i in result.inconsistent:
            c.print(f"[red]inconsistent[/]  {escape(_entry_text(i, facts_file))}")
        for f in result.failing:
            c.print(f"[red]failing[/]  {escape(_entry_text(f, facts_file))}")
        for g in result.checklist_gaps:
            where = ", ".join(
                t["document"]
                + (f"#{t['section']}" if "section" in t else "")
                + (f" ({t['field']})" if "field" in t else "")
                for t in g["feeds"]
            )
            c.print(
                f"[yellow]checklist[/]  {escape(g['id'])} ({g['answer']}): {escape(g['text'])} — {escape(where or '—')}"
            )
        summary = f", {len(result.checklist_gaps)} checklist gaps" if result.checklist_gaps else ""
        c.print(
            "[green]ready[/]"
            if result.ready
            else f"not ready: {len(result.missing)} missing, {len(result.inconsistent)} inconsistent, "
            f"{len(result.failing)} failing{summary}"
        )
    click.get_current_context().exit(0 if result.ready else 1)


@dossier.command("build")
@click.argument("facts_file", type=FILE)
@click.option(
    "--runs", "run_dirs", type=FILE, multiple=True, help="Evaluation or corpus run directory (repeatable)."
)
@click.option("--keywords", type=FILE, help="The keyword library (CSV) exported as the keyword list.")
@click.option(
    "--banks", type=FILE, multiple=True, help="Bank files (JSONL) exported as the evaluation test set."
)
@lang_option("en writes an English draft, marked as a translation aid.")
@click.option(
    "--templates", "templates_dir", type=FILE, help="Folder of your own <document-id>.yaml templates."
)
@click.option("--checklist", "answers", type=FILE, help=CHECKLIST_HELP)
@click.option("--triage", type=FILE, help=TRIAGE_HELP)
@click.option(
    "--out", type=FILE, required=True, help="New folder for the documents (must not exist or be empty)."
)
def build_cmd(
    facts_file: Path,
    run_dirs: tuple[Path, ...],
    keywords: Path | None,
    banks: tuple[Path, ...],
    lang: Literal["zh", "en"],
    templates_dir: Path | None,
    answers: Path | None,
    triage: Path | None,
    out: Path,
) -> None:
    """Write one .docx per document, the keyword list and test set as .xlsx, and manifest.json; with
    --checklist, each yes with evidence is cited in the sections it feeds and listed in an evidence index.
    Nothing is written unless everything builds."""
    facts = load_facts(facts_file)
    manifest = build_dossier(
        facts,
        _runs(run_dirs),
        out,
        keywords=keywords,
        banks=list(banks),
        lang=lang,
        templates_dir=templates_dir,
        checklist=_checklist(answers, triage, facts, lang),
    )
    for entry in manifest["files"]:
        click.echo(f"  {entry['file']}")
    if manifest["not_generated"]:
        click.echo("not generated (provide them yourself): " + ", ".join(manifest["not_generated"]))
    click.echo(f"built {len(manifest['files'])} files in {out}")


@dossier.command("package")
@click.argument("directory", type=FILE)
@click.option("--out", type=FILE, required=True, help="The zip file to write (dossier.zip).")
def package_cmd(directory: Path, out: Path) -> None:
    """Zip a built dossier with its manifest (file, sha256, source run/version)."""
    manifest = package(directory, out)
    click.echo(f"packaged {len(manifest['files'])} files into {out}")


@dossier.command("verify")
@click.argument("package_file", type=FILE)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify_cmd(package_file: Path, fmt: str) -> None:
    """Check a dossier.zip against its manifest: every file present and unchanged, every required document
    there. Exit 0 when it verifies, 1 otherwise."""
    report = verify_package(package_file)
    if fmt == "json":
        echo_json(report)
    else:
        for p in report["problems"]:
            click.echo(f"problem: {p}")
        click.echo(
            f"{'OK' if report['ok'] else 'FAILED'}: {report['files']} files, filing {report['filing']}"
        )
    click.get_current_context().exit(0 if report["ok"] else 1)
