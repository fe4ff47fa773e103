"""Display check: does a page show its filing numbers, an AIGC notice and a complaint/report entry?

Only text a person can read counts: text inside one element (not scripts, styles, hidden elements or image
``alt`` text). A number split across elements or only present in an image is reported as not found, with a
hint saying where it was seen, because reviewers and users cannot reliably read it there either.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

from aibeian.errors import InputError
from aibeian.files import read_text
from aibeian.obligations._filing_numbers import find_numbers, normalise_number
from aibeian.standards import load_standards

INVISIBLE = {"script", "style", "noscript", "template", "head", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
COMPLAINT_WORDS = ("投诉", "举报")


@dataclass
class TextRun:
    """Readable text of one element (its own text, not its children's), with where it sits in the source."""

    text: str
    tag: str
    path: str
    line: int
    column: int
    href: str | None = None


class _Page(HTMLParser):
    """Collects readable text runs and image alt texts, tracking hidden ancestors and enclosing links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[TextRun] = []
        self.alts: list[TextRun] = []
        self.stack: list[tuple[str, bool, str | None]] = []
        self._tag_since_text = True  # a tag between two text chunks starts a new run

    def _hidden(self) -> bool:
        return any(h for _, h, _ in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag_since_text = True
        a = dict(attrs)
        if tag == "img":
            if a.get("alt") and not self._hidden():
                line, col = self.getpos()
                self.alts.append(TextRun(a["alt"] or "", "img", self._path("img"), line, col + 1))
            return
        if tag in VOID:
            return
        hidden = tag in INVISIBLE or "hidden" in a or bool(HIDDEN_STYLE.search(a.get("style") or ""))
        href = a.get("href") if tag == "a" else None
        self.stack.append((tag, hidden, href))

    def handle_endtag(self, tag: str) -> None:
        self._tag_since_text = True
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def _path(self, leaf: str | None = None) -> str:
        tags = [t for t, _, _ in self.stack] + ([leaf] if leaf else [])
        return "/".join(tags) or "document"

    def handle_data(self, data: str) -> None:
        if self._hidden() or not data.strip():
            return
        line, col = self.getpos()
        href = next((h for _, _, h in reversed(self.stack) if h), None)
        tag = self.stack[-1][0] if self.stack else "document"
        if self.runs and not self._tag_since_text:
            self.runs[-1].text += data  # text split by a comment stays one run
            return
        self._tag_since_text = False
        self.runs.append(TextRun(data, tag, self._path(), line, col + 1, href))


def _evidence(run: TextRun) -> dict[str, Any]:
    return {
        "element": run.tag,
        "path": run.path,
        "text": run.text.strip()[:200],
        "line": run.line,
        "column": run.column,
        "link": run.href,
    }


def _compact(text: str) -> str:
    return normalise_number(text)


def check_page(html: str, *, source: str, expect: list[str]) -> dict[str, Any]:
    page = _Page()
    page.feed(html)
    page.close()
    runs = page.runs
    numbers = []
    whole = _compact("".join(r.text for r in runs))
    for number in expect:
        target = _compact(number)
        hits = [r for r in runs if target in _compact(r.text)]
        entry: dict[str, Any] = {
            "number": number,
            "found": bool(hits),
            "evidence": [_evidence(r) for r in hits],
        }
        if not hits:
            if target in whole:
                entry["hint"] = "split across elements: not readable as one number"
            elif any(target in _compact(a.text) for a in page.alts):
                entry["hint"] = "only in an image (alt text): not readable as text"
            else:
                entry["hint"] = "not on the page"
        numbers.append(entry)
    seen = [{"number": m[2], **_evidence(r)} for r in runs for m in find_numbers(r.text)]
    elements = load_standards().labeling["explicit_text_elements"]
    ai_terms, gen_terms = elements["ai"], elements["generation"]
    notices = [r for r in runs if any(t in r.text for t in ai_terms) and any(t in r.text for t in gen_terms)]
    complaints = [r for r in runs if any(w in r.text for w in COMPLAINT_WORDS)]
    problems = [
        f"expected filing number {n['number']} not found ({n['hint']})" for n in numbers if not n["found"]
    ]
    if not notices:
        problems.append(
            "no AIGC notice (text with one of "
            + "/".join(ai_terms)
            + " and one of "
            + "/".join(gen_terms)
            + ")"
        )
    if not complaints:
        problems.append("no complaint/report (投诉举报) entry")
    return {
        "source": source,
        "expected": numbers,
        "numbers_seen": seen,
        "aigc_notice": {"present": bool(notices), "evidence": [_evidence(r) for r in notices[:5]]},
        "complaint_entry": {"present": bool(complaints), "evidence": [_evidence(r) for r in complaints[:5]]},
        "problems": problems,
        "ok": not problems,
    }


def load_page(target: str, *, timeout: float = 20.0) -> str:
    """Read a saved page or fetch a URL (http/https); errors name the target and the reason."""
    if re.match(r"^https?://", target, re.I):
        try:
            response = httpx.get(
                target,
                timeout=timeout,
                follow_redirects=True,
                headers={"User-Agent": "aibeian-display-check"},
            )
        except httpx.HTTPError as exc:
            raise InputError(f"cannot fetch the page: {exc}", path=target) from exc
        if response.status_code >= 400:
            raise InputError(f"the server answered HTTP {response.status_code}", path=target)
        ctype = response.headers.get("content-type", "")
        if ctype and "html" not in ctype and "text" not in ctype:
            raise InputError(f"not an HTML page (content-type {ctype})", path=target)
        return response.text
    path = Path(target)
    if not path.exists():
        raise InputError("file not found (give a saved .html file or an http(s):// URL)", path=target)
    return read_text(path)


def display_check(target: str | os.PathLike[str], *, expect: list[str] | None = None) -> dict[str, Any]:
    """Check one page (URL or saved HTML file) for the expected filing numbers, an AIGC notice and a
    complaint entry. Without ``expect`` every filing number seen is listed and none is required."""
    html = load_page(str(target))
    return check_page(html, source=str(target), expect=list(expect or []))
