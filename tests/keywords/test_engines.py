"""The C engine and the pure-Python engine give identical results, and the C engine is built where it can be.

The native engine (``aibeian.keywords._cmatch``) re-implements the whole matching pipeline; the property
test below compares it with the fallback on random mixed-script text full of evasions: traditional and
full-width forms, case, noise runs short and too long, pinyin, line breaks, astral characters, lone
surrogates, Latin words glued to Latin keywords, allow-list phrases and overlapping keywords.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opencc import OpenCC
from pypinyin import lazy_pinyin

from aibeian.errors import InputError
from aibeian.keywords import ENGINE, ENGINES, Keyword, Library, Match, Matcher
from aibeian.keywords import _matcher as matcher_module

native_only = pytest.mark.skipif("native" not in ENGINES, reason="the C extension is not built here")

KEYWORDS = [
    "台独",
    "台独分子",
    "法轮功",
    "裸聊",
    "地域黑",
    "臺灣獨立",  # written traditional: its evasions are named per character
    "AV",  # written upper case; a Latin literal, only at word boundaries
    "xjp",
    "jp",
    "中华人民共和国",
    "人民",
    "共和",
    "習近平",
    "\U00020000\U00020001",  # astral (CJK extension B)
    "ｆｕｃｋ",  # written full width
    "Ab中",  # Latin start, Chinese end
    "六四",
]
ALLOW = ["反对台独", "人民法院"]
_S2T = OpenCC("s2t")
NOISE = list(" *.,，。!！?？-_/\\|~·…😀👍\u200b\u200d\u3000\u0301")
FILLER = [
    *"的一是在不了有和人这中大为上国我以要他时来用们生到作地于出就分对成会可也你说",
    *"abcxyzAVJPfalungongｆｕｃｋＡＢ0123４５é",
    *["\n", "\r\n", "\u2029", "😀", "\U00020000", "\U0002a6d6", "\ud800", "\udfff", "\u0301", "\u200d"],
]


def _compiled(engine: str) -> Matcher:
    cached = _MATCHERS.get(engine)
    if cached is None:
        library = Library(tuple(Keyword(k, "A.1.8") for k in KEYWORDS))
        cached = _MATCHERS[engine] = Matcher.compile(library, allow=ALLOW, engine=engine)
    return cached


_MATCHERS: dict[str, Matcher] = {}


@st.composite
def evasive(draw: st.DrawFn) -> str:
    """One keyword or allow-list phrase, spelled with any mixture of evasions."""
    word = draw(st.sampled_from(KEYWORDS + ALLOW))
    if draw(st.booleans()) and len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
        syllables = lazy_pinyin(word)
        sep = draw(st.sampled_from(["", " ", "-", "  ", "·"]))
        return sep.join(s.upper() if draw(st.booleans()) else s for s in syllables)
    chars = list(_S2T.convert(word) if draw(st.booleans()) else word)
    out = []
    for i, written in enumerate(chars):
        ch = written
        if "!" <= ch <= "~" and draw(st.booleans()):
            ch = chr(ord(ch) + 0xFEE0)  # full width
        if ch.isascii() and draw(st.booleans()):
            ch = ch.swapcase()
        out.append(ch)
        if i < len(chars) - 1:
            out.append("".join(draw(st.lists(st.sampled_from(NOISE), max_size=5))))  # 4 or 5: too long
    return "".join(out)


TEXTS = st.lists(
    st.one_of(evasive(), st.lists(st.sampled_from(FILLER), max_size=6).map("".join)), max_size=14
).map("".join)


@pytest.mark.skipif(len(ENGINES) < 2, reason="only one engine installed")
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_engines_agree_on_random_evasive_text(text: str) -> None:
    native, fallback = _compiled("native"), _compiled("daachorse")
    found = native.find(text)
    assert found == fallback.find(text)
    for m in found:
        assert type(m) is Match
        assert text[m.start : m.end] == m.text
    a, b = native.spans(text), fallback.spans(text)
    for column in ("start", "end", "keyword", "evasion"):
        left, right = getattr(a, column), getattr(b, column)
        assert left.dtype == right.dtype
        assert np.array_equal(left, right)
    assert [(m.start, m.end) for m in found] == list(zip(a.start.tolist(), a.end.tolist(), strict=True))


@pytest.mark.skipif(len(ENGINES) < 2, reason="only one engine installed")
def test_engines_agree_on_hand_picked_edge_cases() -> None:
    native, fallback = _compiled("native"), _compiled("daachorse")
    for text in [
        "",
        "台独分.....子",  # the long match rejected, the shorter one found
        "axjp a xjp xjpa jp",  # Latin word boundaries
        "AbAb中 Ab中 ａｂ中",
        "反对台独，但台独",  # allow-list
        "中华人民共和国人民法院",
        "\U00020000 \U00020001 \U00020000\u200b\U00020001",
        "\ud800台独\udfff",
        "臺灣獨立 台湾独立 台灣獨立 TAI WAN DU LI",
        "ＦＵＣＫ fUcK f*u*c*k",
        "法\n轮功 法\r\n轮功 法\u2029轮功",
    ]:
        assert native.find(text) == fallback.find(text), text


@pytest.mark.skipif(len(ENGINES) < 2, reason="only one engine installed")
def test_engines_agree_on_long_texts_cut_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("甲乙丙丁\n" * 7 + "台*独 fa lun gong 臺灣獨立\n") * 60
    whole = _compiled("native").find(text)
    assert whole == _compiled("daachorse").find(text)
    monkeypatch.setattr(matcher_module, "CHUNK_CHARS", 37)
    assert _compiled("native").find(text) == whole == _compiled("daachorse").find(text)


def test_native_engine_is_built_where_a_compiler_is() -> None:
    """``pip install -e .`` builds the extension whenever a C compiler exists (it is optional only for
    machines without one): guard against a silent fallback."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler on this machine")
    assert ENGINES[0] == "native" == ENGINE


def test_engine_is_chosen_by_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    library = Library((Keyword("台独", "A.1.3"),))
    assert Matcher.compile(library).engine == ENGINE
    assert Matcher.compile(library, engine="daachorse").engine == "daachorse"
    monkeypatch.setenv("AIBEIAN_MATCHER_ENGINE", "daachorse")
    assert Matcher.compile(library).engine == "daachorse"
    monkeypatch.setenv("AIBEIAN_MATCHER_ENGINE", "regex")
    with pytest.raises(InputError, match="unknown matcher engine"):
        Matcher.compile(library)


def test_each_engine_has_its_own_cache_entry(tmp_path: Path) -> None:
    library = Library((Keyword("台独", "A.1.3"), Keyword("臺灣獨立", "A.1.3")))
    for engine in ENGINES:
        first = Matcher.compile(library, cache_dir=tmp_path, engine=engine)
        again = Matcher.compile(library, cache_dir=tmp_path, engine=engine)
        assert again.engine == engine and again.version == first.version
        assert again.find("臺 独 台灣獨立") == first.find("臺 独 台灣獨立")
    versions = {Matcher.compile(library, cache_dir=tmp_path, engine=e).version for e in ENGINES}
    assert len(versions) == len(ENGINES)
    assert len(list((tmp_path / "matcher").glob("*.pickle"))) == len(ENGINES)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_matcher_pickles_for_worker_processes(engine: str) -> None:
    """The corpus scan ships the compiled matcher to its workers by pickling it."""
    import pickle

    m = _compiled(engine)
    again = pickle.loads(pickle.dumps(m, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.engine == engine and again.version == m.version
    text = "他们鼓吹臺 * 獨, fa lun gong, 反对台独 台灣獨立 ＡＶ"
    assert again.find(text) == m.find(text) and len(m.find(text)) == 4


@native_only
def test_native_matches_are_real_match_tuples() -> None:
    m = _compiled("native")
    [hit] = m.find("他们鼓吹臺 * 獨")
    assert hit == Match(4, 9, "臺 * 獨", "台独", "A.1.8", ("traditional", "noise"))
    assert type(hit) is Match and hit.to_dict()["evasion"] == ["traditional", "noise"]
    assert hit._replace(start=0).start == 0
    [plain] = m.find("台独")
    assert plain.text == "台独" and plain.evasion == ()


@native_only
def test_native_scanner_is_safe_across_threads() -> None:
    m = _compiled("native")
    text = "他们鼓吹臺 * 獨, fa lun gong, 反对台独 看ＡＶ java 台灣獨立\n" * 2000
    expected = m.find(text)
    results: list[list[Match]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append(m.find(text))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 20 and all(r == expected for r in results)


@native_only
def test_native_scanner_rejects_corrupt_arrays() -> None:
    from aibeian.keywords import _cmatch
    from aibeian.keywords._normalise import table

    m = _compiled("native")
    c = m._c
    assert c.trie is not None
    args = [
        table(),
        c.trie.alphabet,
        c.trie.base,
        c.trie.check,
        c.trie.value,
        c.pattern_keyword,
        c.pattern_flags,
        3,
        Match,
        tuple(tuple(k) for k in c.keywords),
        matcher_module._NAMES,
        tuple(c.literals),
        lambda *a: 0,
    ]
    _cmatch.Scanner(*args)  # the real arrays are accepted
    broken = c.trie.base.copy()
    broken[0] = len(broken)  # a transition out of the array
    with pytest.raises(ValueError, match="corrupt"):
        _cmatch.Scanner(*args[:2], broken, *args[3:])
    with pytest.raises(ValueError, match="table"):
        _cmatch.Scanner(table()[:10], *args[1:])
    with pytest.raises(TypeError):
        _cmatch.Scanner(*args[:8], int, *args[9:])
    with pytest.raises(TypeError):
        m._scanner.scan(b"bytes")


@native_only
def test_native_build_keeps_the_first_of_duplicate_literals_and_refuses_empty_ones() -> None:
    from aibeian.keywords import _cmatch

    alphabet, _, _, value = _cmatch.build(["ab", "b", "ab"])
    values = np.frombuffer(value, dtype=np.int32)
    assert sorted(values[values >= 0].tolist()) == [0, 1]
    assert np.frombuffer(alphabet, dtype=np.uint32).tolist() == [ord("b"), ord("a")]  # by frequency
    with pytest.raises(ValueError, match="empty"):
        _cmatch.build(["a", ""])
    with pytest.raises(TypeError):
        _cmatch.build(("a",))


@pytest.mark.slow
@pytest.mark.skipif(len(ENGINES) < 2, reason="only one engine installed")
def test_engines_agree_on_the_konsheng_lexicon_over_a_law(
    konsheng_csv: Path, konsheng_matcher: Matcher, external_dir: Path
) -> None:
    law = max((external_dir / "cn-laws-corpus" / "刑法").glob("*.md"), key=lambda p: p.stat().st_size)
    text = law.read_text(encoding="utf-8")
    fallback = Matcher.compile(Library.load(konsheng_csv), engine="daachorse")
    assert konsheng_matcher.engine == ENGINE
    found = konsheng_matcher.find(text)
    assert len(found) > 100
    assert found == fallback.find(text)
    assert os.environ.get("AIBEIAN_MATCHER_ENGINE") in (None, "", ENGINE)
