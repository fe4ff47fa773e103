"""Keyword library screen: coverage against the standards' quotas, the releases and the weekly-update record,
recording a release (audited, reviewers and admins only), and the try-the-matcher box whose highlights are
escaped HTML at the matcher's code-point spans."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from aibeian.keywords import Library, Matcher, ReleaseStore, check_library
from aibeian.settings import Settings
from aibeian.standards import load_standards
from aibeian.storage import Store, list_audit
from aibeian.web._demo_files import write_demo_files
from aibeian.web._keyword_view import segments
from web.conftest import csrf_of

HX = {"HX-Request": "true"}


@pytest.fixture
def demo(settings: Settings) -> Settings:
    write_demo_files(settings)
    return settings


class _Marks(HTMLParser):
    """Collects each <mark> highlight's data-start/end and its text (without the <sup> number)."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[tuple[int, int, str]] = []
        self._open: list[object] | None = None
        self._in_sup = False
        self.text = ""
        self._in_highlight = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "div" and a.get("id") == "highlighted":
            self._in_highlight = 1
        elif tag == "mark" and self._in_highlight:
            self._open = [int(a["data-start"] or 0), int(a["data-end"] or 0), ""]
        elif tag == "sup":
            self._in_sup = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark" and self._open is not None:
            self.marks.append((int(self._open[0]), int(self._open[1]), str(self._open[2])))  # type: ignore[call-overload]
            self._open = None
        elif tag == "sup":
            self._in_sup = False
        elif tag == "div" and self._in_highlight:
            self._in_highlight = 0

    def handle_data(self, data: str) -> None:
        if self._in_highlight and not self._in_sup:
            self.text += data
            if self._open is not None:
                self._open[2] = str(self._open[2]) + data


def _try(client: TestClient, text: str, **extra: str) -> tuple[int, _Marks, str]:
    token = csrf_of(client, "/keywords")
    r = client.post("/keywords/match", data={"csrf_token": token, "text": text, **extra}, headers=HX)
    parser = _Marks()
    parser.feed(r.text)
    return r.status_code, parser, r.text


def test_coverage_by_risk_against_the_standards_quotas(as_role, demo: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    page = client.get("/keywords")
    assert page.status_code == 200
    library_path = demo.keyword_paths()[0]
    coverage = check_library(Library.load(library_path))
    assert re.search(rf'id="kw-total">{coverage.total}<', page.text)
    for risk in load_standards().keyword_risks():
        row = re.search(rf'<tr id="risk-{re.escape(risk.id)}">(.*?)</tr>', page.text, re.S)
        assert row, risk.id
        cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
        assert cells[1] == str(coverage.per_risk[risk.id]) and cells[2] == str(risk.keyword_min)
    assert "未达标" in page.text  # a demo library is far below 10,000


def test_releases_and_the_weekly_update_record(as_role, demo: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    page = client.get("/keywords").text
    history = ReleaseStore(demo.keyword_paths()[2]).history()
    assert len(history.releases) == 2
    for r in history.releases:
        assert f"/keywords?version={r.version}" in page
    # the demo's last release is 9 days old: the spec's interval is exceeded and the page says so
    assert 'id="update-gaps"' in page and "存在超期间隔" in page
    older = client.get(f"/keywords?version={history.releases[0].version}")
    assert older.status_code == 200 and re.search(r'id="kw-total">8<', older.text)
    assert client.get("/keywords?version=2000-01-01.9").status_code == 404


def test_matcher_box_highlights_escaped_text_at_code_point_spans(as_role, demo: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    text = (
        "😀𠀀<script>alert(1)</script> 臺 独、台*独 或 tai du；坚决反对台独。Ｆａ Ｌｕｎ Ｇｏｎｇ & 网络赌博"
    )
    status, parsed, raw = _try(client, text)
    assert status == 200
    assert "<script>alert" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert parsed.text == text  # the highlighted view is the input, every character once
    library_path, allow_path, _ = demo.keyword_paths()
    expected = Matcher.compile(Library.load(library_path), allow_path).find(text)
    assert [(s, e) for s, e, _ in parsed.marks] == [(m.start, m.end) for m in expected]
    for start, end, shown in parsed.marks:
        assert shown == text[start:end]
    shown = [t for _, _, t in parsed.marks]
    assert shown == [
        "臺 独",
        "台*独",
        "tai du",
        "Ｆａ Ｌｕｎ Ｇｏｎｇ",
        "网络赌博",
    ]  # 反对台独 is allow-listed
    table = re.search(r'<table id="match-table">(.*?)</table>', raw, re.S)
    assert table and "A.1.3" in table.group(1) and "繁体字" in table.group(1) and "拼音" in table.group(1)


def test_matcher_box_without_htmx_renders_the_whole_page(as_role, demo: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    r = client.post("/keywords/match", data={"csrf_token": csrf_of(client, "/keywords"), "text": "台独"})
    assert r.status_code == 200 and 'id="coverage"' in r.text and 'id="highlighted"' in r.text


def test_too_long_text_is_refused_next_to_the_field(as_role, demo: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    status, _, raw = _try(client, "台" * 20_001)
    assert status == 422 and 'id="text-error"' in raw and "aibeian keywords scan" in raw


def test_no_library_yet_says_what_to_do(as_role, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    page = client.get("/keywords")
    assert page.status_code == 200 and 'id="no-library"' in page.text
    status, _, raw = _try(client, "台独")
    assert status == 422 and "no keyword library" in raw.lower()


def test_reviewer_records_a_release_and_it_is_audited(as_role, demo: Settings, store: Store) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    library_path = demo.keyword_paths()[0]
    token = csrf_of(client, "/keywords")
    unchanged = client.post("/keywords/release", data={"csrf_token": token, "note": "x"})
    assert unchanged.status_code == 422 and "unchanged since release" in html.unescape(unchanged.text)
    with library_path.open("a", encoding="utf-8") as f:
        f.write("民族仇恨示例词,A.1.5,,,test\n")
    r = client.post("/keywords/release", data={"csrf_token": token, "note": "新增 A.1.5"})
    assert r.status_code == 303
    releases = ReleaseStore(demo.keyword_paths()[2]).releases()
    assert (
        len(releases) == 3 and releases[-1].meta["note"] == "新增 A.1.5" and releases[-1].meta["added"] == 1
    )
    with store.session() as s:
        entry = next(e for e in list_audit(s) if e.action == "keywords.release")
    assert entry.actor_name == "reviewer" and entry.detail["version"] == releases[-1].version


def test_viewer_can_try_but_not_release(as_role, demo: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    assert 'id="release-form"' not in client.get("/keywords").text
    r = client.post("/keywords/release", data={"csrf_token": csrf_of(client, "/keywords"), "note": "x"})
    assert r.status_code == 403
    assert len(ReleaseStore(demo.keyword_paths()[2]).releases()) == 2


def test_anonymous_reaches_nothing(client: TestClient, demo: Settings) -> None:
    r = client.get("/keywords")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/keywords").status_code == 401
    token = csrf_of(client)
    r = client.post("/keywords/match", data={"csrf_token": token, "text": "台独"})
    assert r.status_code == 303


def test_api_coverage_and_match(as_role, demo: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    body = client.get("/api/keywords").json()
    assert body["version"] == "working" and body["coverage"]["min_total"] == 10_000
    assert len(body["history"]["releases"]) == 2 and body["history"]["ok"] is False
    token = csrf_of(client, "/keywords")
    r = client.post("/api/keywords/match", json={"text": "😀臺獨"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    assert r.json()["matches"] == [
        {"start": 1, "end": 3, "text": "臺獨", "keyword": "台独", "risk": "A.1.3", "evasion": ["traditional"]}
    ]


@pytest.fixture(scope="module")
def demo_matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    path = Path(tmp_path_factory.mktemp("kw")) / "lib.csv"
    path.write_text("keyword,risk\n台独,A.1.3\n法轮功,A.1.4\n网络赌博,A.1.8\n", encoding="utf-8")
    return Matcher.compile(Library.load(path))


@given(st.text(alphabet=st.sampled_from(list("台独臺獨法轮功网络赌博 *😀𠀀aZ\n<&>")), max_size=60))
@hsettings(max_examples=200, deadline=None)
def test_segments_cover_the_text_exactly(demo_matcher: Matcher, text: str) -> None:
    matches = demo_matcher.find(text)
    segs = segments(text, matches)
    assert "".join(s.text for s in segs) == text
    for s in segs:
        if s.match is not None:
            assert s.text == text[s.match.start : s.match.end] == s.match.text


def test_a_broken_library_file_is_a_clear_page(as_role, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    library_path = settings.keyword_paths()[0]
    library_path.parent.mkdir(parents=True)
    library_path.write_text("keyword,risk\n台独,A.9.9\n", encoding="utf-8")
    page = client.get("/keywords")
    assert page.status_code == 422
    assert "line 2" in page.text and "A.9.9" in page.text and "Traceback" not in page.text
