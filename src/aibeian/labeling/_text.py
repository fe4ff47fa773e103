"""Plain text and Markdown: a notice line at the start or end, and (Markdown only) front-matter metadata.

A .txt file has no place for metadata: any byte we add is content a reader sees. We say so plainly in
every report instead of inventing a sidecar the standard does not name. Markdown carries the record as a
YAML front-matter mapping ``AIGC``, edited line-wise so a user's other keys and comments survive.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from aibeian.errors import InputError
from aibeian.files import read_text
from aibeian.labeling._fields import LabelMeta, implicit_spec
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._render import text_problems
from aibeian.labeling._report import ExplicitResult, Inspection

__all__ = ["MarkdownWriter", "TextWriter"]

TXT_NOTE = (
    "plain text has no metadata container, so GB 45438's implicit label cannot be embedded; keep the record "
    "in your service logs or publish as .md / 纯文本无元数据位置，无法嵌入隐式标识"
)
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.S)


def _split_front(text: str) -> tuple[str | None, str]:
    m = _FRONT.match(text)
    if not m:
        return None, text
    return m.group(1) or "", text[m.end() :]


def _explicit(body: str) -> ExplicitResult:
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    for where, line in (("start", lines[0] if lines else ""), ("end", lines[-1] if lines else "")):
        if line and not text_problems(line):
            return ExplicitResult(True, details={"where": where, "text": line[:200]})
    return ExplicitResult(
        False,
        details={"where": None},
        problems=[
            "no notice with an AI term and a generation term in the first or last line / 首行或末行未见标识"
        ],
    )


def _add_notice(body: str, opts: ApplyOptions) -> str:
    newline = "\r\n" if "\r\n" in body else "\n"
    if (opts.position or "start") == "start":
        return opts.text + newline + newline + body
    sep = "" if body.endswith(("\n", "\r")) or not body else newline
    return body + sep + newline + opts.text + newline


class TextWriter:
    name = "text"
    suffixes: tuple[str, ...] = (".txt",)
    positions: tuple[str, ...] = ("start", "end")

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        return Inspection([], _explicit(read_text(path)), implicit_possible=False, implicit_note=TXT_NOTE)

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> None:
        body = read_text(src)
        dst.write_text(_add_notice(body, opts) if opts.explicit else body, encoding="utf-8", newline="")


def _front_record(front: str, path: Path) -> list[tuple[str, str | dict[str, Any]]]:
    try:
        data = yaml.safe_load(front) if front.strip() else {}
    except yaml.YAMLError as exc:
        raise InputError(f"front matter is not valid YAML ({exc})", path=str(path)) from exc
    key = implicit_spec()["key"]
    if not isinstance(data, dict) or key not in data:
        return []
    value = data[key]
    return [("YAML front matter AIGC", value if isinstance(value, dict | str) else str(value))]


def _replace_key(front: str, block: str, key: str) -> str:
    lines = front.splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        if re.match(rf"{re.escape(key)}\s*:", line):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    return "".join(out) + block


class MarkdownWriter:
    name = "markdown"
    suffixes: tuple[str, ...] = (".md", ".markdown")
    positions: tuple[str, ...] = ("start", "end")

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        front, body = _split_front(read_text(path))
        records = _front_record(front, path) if front is not None else []
        return Inspection(records, _explicit(body))

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> None:
        front, body = _split_front(read_text(src))
        if front is not None:
            _front_record(front, src)  # refuse to rewrite front matter we cannot parse
        key = implicit_spec()["key"]
        block = yaml.safe_dump({key: meta.as_dict()}, allow_unicode=True, sort_keys=False, width=4096)
        new_front = _replace_key(front or "", block, key)
        if opts.explicit:
            body = _add_notice(body, opts)
        dst.write_text(f"---\n{new_front}---\n{body}", encoding="utf-8", newline="")


label_writers.register("text")(TextWriter())
label_writers.register("markdown")(MarkdownWriter())
