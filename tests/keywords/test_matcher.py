"""The matcher against every evasion of the issue, alone and mixed, with exact original spans.

Every test here runs once per installed engine (the C extension and the pure-Python fallback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibeian.keywords import ENGINES, Keyword, Library, Match, Matcher
from aibeian.keywords import _matcher as matcher_module


@pytest.fixture(autouse=True, params=ENGINES)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with ``Matcher.compile`` defaulting to each engine in turn."""
    monkeypatch.setenv("AIBEIAN_MATCHER_ENGINE", request.param)
    return str(request.param)


def spans(m: Matcher, text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    found = m.find(text)
    for x in found:
        assert text[x.start : x.end] == x.text
    return [(x.text, x.keyword, x.evasion) for x in found]


def test_plain_match_has_no_evasion(matcher: Matcher, engine: str) -> None:
    assert matcher.engine == engine
    [m] = matcher.find("他们鼓吹台独。")
    assert m == Match(4, 6, "台独", "台独", "A.1.3", ())
    assert m.to_dict() == {
        "start": 4,
        "end": 6,
        "text": "台独",
        "keyword": "台独",
        "risk": "A.1.3",
        "evasion": [],
    }


@pytest.mark.parametrize(
    ("text", "found", "evasion"),
    [
        ("鼓吹臺獨", "臺獨", ("traditional",)),
        ("臺灣獨立", "臺灣獨立", ()),  # the library itself says 臺灣獨立: written the same, no evasion
        ("台灣獨立", "台灣獨立", ("traditional",)),  # 台 for 臺: a variant form
        ("台湾独立", "台湾独立", ("traditional",)),  # library traditional, text simplified
        ("看ＡＶ", "ＡＶ", ("fullwidth",)),
        ("看av", "av", ("case",)),
        ("台*独", "台*独", ("noise",)),
        ("台 独", "台 独", ("noise",)),
        ("台，。独", "台，。独", ("noise",)),
        ("台!!!独", "台!!!独", ("noise",)),
        ("台\u200b\u200c\u200d独", "台\u200b\u200c\u200d独", ("noise",)),
        ("台😀独", "台😀独", ("noise",)),
        ("台👨\u200d👩\u200d👧独", "台👨\u200d👩\u200d👧独", ("noise",)),  # one emoji, five code points
        ("fa lun gong", "fa lun gong", ("pinyin",)),
        ("FaLunGong!", "FaLunGong", ("pinyin",)),
        ("FALUNGONG", "FALUNGONG", ("pinyin",)),
        ("fa-lun-gong", "fa-lun-gong", ("noise", "pinyin")),
        ("ｆａｌｕｎｇｏｎｇ", "ｆａｌｕｎｇｏｎｇ", ("fullwidth", "pinyin")),
        ("臺 * 獨", "臺 * 獨", ("traditional", "noise")),
        ("法輪*功", "法輪*功", ("traditional", "noise")),
        ("Ａ.v", "Ａ.v", ("fullwidth", "case", "noise")),
        ("tai du", "tai du", ("pinyin",)),
    ],
)
def test_evasions(matcher: Matcher, text: str, found: str, evasion: tuple[str, ...]) -> None:
    [m] = matcher.find(text)
    assert m.text == found
    assert text[m.start : m.end] == found
    assert m.evasion == evasion


@pytest.mark.parametrize(
    "text",
    [
        "台\n独",
        "台\r\n独",
        "台\n\n独",
        "台\u2029独",
        "台....独",  # four noise characters: more than allowed
        "台 * * 独",
        "ilovefalungong",  # pinyin inside a longer Latin word
        "falungongs",
        "java",  # AV inside a word
        "3av",
        "坚决反对台独",  # allow-list
        "坚决反对臺獨",  # allow-list, also under variants
    ],
)
def test_not_matched(matcher: Matcher, text: str) -> None:
    assert matcher.find(text) == []


def test_each_occurrence_once_and_in_order(matcher: Matcher) -> None:
    text = "台独台独，臺獨\n法轮功 fa lun gong"
    assert [m.keyword for m in matcher.find(text)] == ["台独", "台独", "台独", "法轮功", "法轮功"]


def test_longest_keyword_wins_and_a_rejected_match_does_not_hide_a_shorter_one() -> None:
    lib = Library(
        (
            Keyword("台独", "A.1.3"),
            Keyword("台独分子", "A.1.3"),
            Keyword("xjp", "A.1.1"),
            Keyword("jp", "A.1.1"),
        )
    )
    m = Matcher.compile(lib, pinyin=False)
    assert [x.keyword for x in m.find("台独分子")] == ["台独分子"]
    # 台独分子 is rejected (five noise characters before 子), so 台独 must still be found
    assert [(x.keyword, x.text) for x in m.find("台独分.....子")] == [("台独", "台独")]
    # xjp is glued to a Latin word before it: rejected; jp is not a word either -> nothing
    assert m.find("axjp") == []
    assert [x.text for x in m.find("a xjp")] == ["xjp"]


def test_allow_list_on_the_original_span(small_library: Library, tmp_path: Path) -> None:
    allow = tmp_path / "allow.csv"
    allow.write_text("keyword,risk\n反对台独,\n", encoding="utf-8")
    m = Matcher.compile(small_library, allow=allow)
    assert m.find("反对台独") == []
    assert m.find("反对。臺獨") == []  # the allow phrase folds like keywords do
    assert [x.start for x in m.find("反对台独，但台独")] == [6]  # only the occurrence outside the phrase
    assert [x.text for x in m.find("支持台独")] == ["台独"]


def test_find_iter_streams(matcher: Matcher) -> None:
    results = list(matcher.find_iter(["台独", "无", "臺獨 法轮功"]))
    assert [len(r) for r in results] == [1, 0, 2]


def test_long_texts_are_cut_at_line_breaks_exactly(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("甲乙丙丁\n" * 7 + "台*独\n") * 50
    whole = matcher.find(text)
    monkeypatch.setattr(matcher_module, "CHUNK_CHARS", 17)
    assert matcher.find(text) == whole
    assert len(whole) == 50


def test_empty_library_and_text() -> None:
    m = Matcher.compile(Library(()))
    assert m.find("任何文字") == []
    assert m.find("") == []


def test_compiled_matcher_is_cached_by_content(small_library: Library, tmp_path: Path) -> None:
    first = Matcher.compile(small_library, cache_dir=tmp_path)
    files = list((tmp_path / "matcher").glob("*.pickle"))
    assert len(files) == 1
    second = Matcher.compile(small_library, cache_dir=tmp_path)
    assert second.version == first.version
    assert second.find("臺獨") == first.find("臺獨")
    changed = Library((*small_library.entries, Keyword("新词", "A.1.8")))
    assert Matcher.compile(changed, cache_dir=tmp_path).version != first.version
    files[0].write_bytes(b"garbage")  # a corrupt cache entry is rebuilt, never an error
    assert Matcher.compile(small_library, cache_dir=tmp_path).find("台独")


NOISE = st.sampled_from(list(" *.,，。!！?？-_/\\|~·…😀👍\u200b\u200d\u3000"))
FILLER = st.text(
    alphabet=st.sampled_from(
        list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你说")
    ),
    max_size=8,
)
KEYWORDS = ["台独", "法轮功", "裸聊", "地域黑"]


@settings(max_examples=200, deadline=None)
@given(
    before=FILLER,
    after=FILLER,
    keyword=st.sampled_from(KEYWORDS),
    gaps=st.lists(st.lists(NOISE, max_size=3), min_size=3, max_size=3),
    traditional=st.booleans(),
)
def test_injected_noise_is_found_with_its_exact_span(
    before: str, after: str, keyword: str, gaps: list[list[str]], traditional: bool
) -> None:
    m = _property_matcher()
    chars = list(keyword)
    if traditional:
        chars = [
            {"台": "臺", "独": "獨", "轮": "輪", "聊": "聊", "域": "域", "黑": "黑"}.get(c, c) for c in chars
        ]
    injected = chars[0] + "".join("".join(g) + c for g, c in zip(gaps, chars[1:], strict=False))
    text = before + injected + after
    found = [x for x in m.find(text) if x.keyword == keyword]
    assert [(x.start, x.end) for x in found] == [(len(before), len(before) + len(injected))]
    assert found[0].text == injected


_CACHE: dict[str, Matcher] = {}


def _property_matcher() -> Matcher:
    import os

    engine = os.environ["AIBEIAN_MATCHER_ENGINE"]
    if engine not in _CACHE:
        _CACHE[engine] = Matcher.compile(Library(tuple(Keyword(k, "A.1.8") for k in KEYWORDS)), pinyin=False)
    return _CACHE[engine]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("台独臺獨法轮功 *\n。fa lun gongAVav")), max_size=40))
def test_spans_are_exact_ordered_and_disjoint(text: str) -> None:
    m = _property_matcher()
    found = m.find(text)
    last = 0
    for x in found:
        assert text[x.start : x.end] == x.text
        assert x.start >= last
        assert "\n" not in x.text
        last = x.end


def test_streams_are_scanned_in_blocks_with_whole_input_offsets(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from aibeian.keywords import _scan, scan_stream

    text = "前言\r\n" + "甲乙\n台*独丙\n" * 40 + "无换行的最后一行臺獨"
    whole = matcher.find(text)
    monkeypatch.setattr(_scan, "BLOCK_CHARS", 7)
    streamed = list(scan_stream(matcher, io.StringIO(text, newline="")))
    assert streamed == whole and len(whole) == 41
    assert all(text[m.start : m.end] == m.text for m in streamed)
