"""``aibeian keywords …``: the keyword library (check, import, release, history, diff) and the matcher (scan)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from aibeian.cli._output import console, echo_json
from aibeian.errors import InputError
from aibeian.keywords import (
    AllowList,
    Library,
    Matcher,
    ReleaseStore,
    check_library,
    diff_libraries,
    import_lists,
    scan_paths,
)
from aibeian.settings import Settings
from aibeian.standards import load_standards

FORMAT_TEXT_JSON = click.Choice(["text", "json"])
LIB = click.Path(dir_okay=False, path_type=Path)


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _exit(code: int) -> None:
    click.get_current_context().exit(code)


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date", field=name, expected="YYYY-MM-DD") from None


@click.group()
def keywords() -> None:
    """Keyword library (关键词库) and the evasion-resistant matcher.

    The library is a UTF-8 CSV with a header, keyword,risk[,note][,added][,source], where risk is an A.1/A.2
    risk id (see `aibeian standards risks`). An allow-list has the same shape with risk empty.
    """


@keywords.command("check")
@click.argument("library", type=LIB)
@click.option("--allow", "allow_path", type=LIB, help="Allow-list CSV: also report keywords it hides.")
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True)
def check_cmd(library: Path, allow_path: Path | None, fmt: str) -> None:
    """Coverage against the spec: total, per-risk counts, short risks, duplicates and bad entries.

    Counts are of distinct keywords after normalisation. Exit 0 only when every quota is met and no entry is
    an error; 1 otherwise; 2 when the file cannot be read.
    """
    lib = Library.load(library)
    allow = AllowList.load(allow_path) if allow_path else None
    report = check_library(lib, allow)
    if fmt == "json":
        echo_json(report.to_dict())
    else:
        out = console()
        table = Table(title=f"{library} — {report.total} distinct keywords (need ≥ {report.min_total})")
        for col in ("risk", "have", "need", ""):
            table.add_column(col)
        need = {s["risk"]: s["need"] for s in report.short}
        for r in load_standards().keyword_risks():
            have = report.per_risk.get(r.id, 0)
            mark = f"[red]short by {need[r.id] - have}[/]" if r.id in need else "[green]ok[/]"
            table.add_row(f"{r.id} {r.zh}", str(have), str(r.keyword_min), mark)
        out.print(table)
        for p in report.problems:
            where = f"line {p.line}: " if p.line else ""
            out.print(
                f"{p.severity}: {where}{p.keyword + ': ' if p.keyword else ''}{p.message}", markup=False
            )
        out.print("[green]ok: every quota is met[/]" if report.ok else "[red]not ok[/]")
    _exit(0 if report.ok else 1)


@keywords.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--map",
    "map_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="YAML mapping from list name to risk id (see examples/keywords/konsheng_map.yaml).",
)
@click.option("--out", "out", type=LIB, required=True, help="Library CSV to write (atomically).")
def import_cmd(source: Path, map_path: Path, out: Path) -> None:
    """Build a library from word lists (one word a line; a file or a folder of them) and a mapping."""
    report = import_lists(source, map_path)
    report.library.write(out)
    err = _err()
    err.print(f"wrote {len(report.library)} keywords to {out}", markup=False)
    for name, count in report.per_list.items():
        err.print(f"  {name}: {count}", markup=False)
    err.print(
        f"dropped {report.duplicates} repeated words (after normalisation) and {report.unusable} "
        f"punctuation-only lines; skipped lists: {', '.join(report.skipped_lists) or 'none'}",
        markup=False,
    )


@keywords.command("release")
@click.argument("library", type=LIB)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder that holds the releases.",
)
@click.option("--date", "date", help="Release date YYYY-MM-DD (default: today in Asia/Shanghai).")
@click.option("--note", default="", help="What changed, in a sentence (kept in release.json).")
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True)
def release_cmd(library: Path, store: Path, date: str | None, note: str, fmt: str) -> None:
    """Record an immutable, dated version: content hash, counts, added/removed since the previous one."""
    release = ReleaseStore(store).release(Library.load(library), date=_date(date, "date"), note=note)
    if fmt == "json":
        echo_json(release.meta)
        return
    m = release.meta
    console().print(
        f"released {m['version']} ({m['total']} keywords, +{m['added']} -{m['removed']} "
        f"~{m['changed']} since {m['previous'] or 'nothing'}) sha256 {m['content_hash'][:12]} "
        f"→ {release.path}",
        markup=False,
    )


@keywords.command("history")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--as-of", "as_of", help="Judge the gap since the last release on this day (default: today).")
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True)
def history_cmd(store: Path, as_of: str | None, fmt: str) -> None:
    """List releases and flag every gap of more than 7 days between updates (exit 1 when there is one)."""
    history = ReleaseStore(store).history(as_of=_date(as_of, "as-of"))
    if fmt == "json":
        echo_json(history.to_dict())
    else:
        table = Table(title=f"keyword library releases in {store}")
        for col in ("version", "date", "keywords", "added", "removed", "sha256", "days since previous"):
            table.add_column(col)
        previous = None
        for r in history.releases:
            days = str((r.date - previous).days) if previous else "—"
            table.add_row(
                r.version,
                r.date.isoformat(),
                str(r.meta.get("total")),
                f"+{r.meta.get('added')}",
                f"-{r.meta.get('removed')}",
                r.content_hash[:12],
                days,
            )
            previous = r.date
        out = console()
        out.print(table)
        for g in history.gaps:
            until = g.before or f"{history.as_of} (no release since)"
            out.print(
                f"[red]gap:[/] {g.days} days from {g.after} to {until} "
                f"(at most {history.max_interval_days} allowed)"
            )
        if not history.releases:
            out.print("[red]no releases yet[/]")
    _exit(0 if history.ok else 1)


def _library_arg(value: str, store: Path | None) -> Library:
    if store is not None and not Path(value).is_file():
        return ReleaseStore(store).get(value).library()
    return Library.load(value)


@keywords.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Read OLD and NEW as release versions (or 'latest') of this store.",
)
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True)
def diff_cmd(old: str, new: str, store: Path | None, fmt: str) -> None:
    """Keywords added, removed and moved to another risk between two libraries (exit 1 when they differ)."""
    diff = diff_libraries(_library_arg(old, store), _library_arg(new, store))
    if fmt == "json":
        echo_json(diff.to_dict())
    else:
        for k in diff.added:
            click.echo(f"+ {k.keyword},{k.risk}")
        for k in diff.removed:
            click.echo(f"- {k.keyword},{k.risk}")
        for a, b in diff.changed:
            click.echo(f"~ {b.keyword},{a.risk} -> {b.risk}")
        c = diff.to_dict()["counts"]
        click.echo(f"{c['added']} added, {c['removed']} removed, {c['changed']} moved", err=True)
    _exit(0 if diff.empty else 1)


@keywords.command("scan")
@click.argument("library", type=LIB)
@click.argument("files", nargs=-1)
@click.option("--allow", "allow_path", type=LIB, help="Allow-list CSV: phrases never reported.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl", show_default=True)
@click.option("--no-pinyin", is_flag=True, help="Do not match pinyin spellings of keywords.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the compiled-matcher cache.")
def scan_cmd(
    library: Path, files: tuple[str, ...], allow_path: Path | None, fmt: str, no_pinyin: bool, no_cache: bool
) -> None:
    """Find keywords in FILES (or '-' / nothing for standard input), one JSON line per match.

    Catches traditional/variant characters, full-width letters and digits, case, up to 3 noise characters
    between keyword characters, and pinyin. Offsets are Unicode code points of the original input. Exit 0
    when nothing matched, 1 when something did. The compiled matcher is cached under AIBEIAN_HOME.
    """
    allow = AllowList.load(allow_path) if allow_path else None
    cache = None if no_cache else Settings().cache_dir
    matcher = Matcher.compile(Library.load(library), allow, pinyin=not no_pinyin, cache_dir=cache)
    found = 0
    for name, m in scan_paths(matcher, files or ("-",)):
        found += 1
        if fmt == "jsonl":
            click.echo(json.dumps({"file": name, **m.to_dict()}, ensure_ascii=False))
        else:
            evasion = f" [{', '.join(m.evasion)}]" if m.evasion else ""
            click.echo(f"{name}:{m.start}-{m.end}: {m.text!r} → {m.keyword} ({m.risk}){evasion}")
    _exit(1 if found else 0)
