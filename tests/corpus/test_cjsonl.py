"""The C lexer (``aibeian.corpus._cjsonl``) against the definitions it must reproduce: ``json.loads`` per line
(``_readers.jsonl_record``) for what a line holds, and ``_sampling.item_hashes`` for the item hashes. It
may leave a block to the reference reader (``None``), but whatever it answers must be what that reader
says, and ordinary JSONL must never be left to it."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibeian.corpus._readers import Corrupt, Item, jsonl_record
from aibeian.corpus._sampling import item_hashes

cjsonl = pytest.importorskip("aibeian.corpus._cjsonl", reason="the C lexer extension is not built")

REL = "语料/part-1.jsonl"


def _lex(
    data: bytes, source_field: str | None = None, seed: int = 7, first: int = 1
) -> list[tuple[object, ...]] | None:
    found = cjsonl.lex(
        data,
        b"text",
        None if source_field is None else source_field.encode(),
        f"{REL}:".encode(),
        first,
        str(seed).encode(),
    )
    if found is None:
        return None
    _count, lines, chars, offsets, lengths, escaped, tech, manual, values = found
    numbers = np.frombuffer(lines, dtype=np.int64).tolist()
    joined = cjsonl.texts(data, offsets, lengths, escaped, chars, None)
    # a text may itself hold line breaks: cut the joined string by the counted lengths
    sizes = np.frombuffer(chars, dtype=np.int64).tolist()
    texts, at = [], 0
    for n in sizes:
        texts.append(joined[at : at + n])
        at += n + 1
    hashes = list(
        zip(
            np.frombuffer(tech, dtype=np.uint64).tolist(),
            np.frombuffer(manual, dtype=np.uint64).tolist(),
            strict=True,
        )
    )
    sources = values if values is not None else [None] * len(numbers)
    return [
        (f"{REL}:{n}", text, source, h)
        for n, text, source, h in zip(numbers, texts, sources, hashes, strict=True)
    ]


def _reference(data: bytes, source_field: str | None = None, seed: int = 7, first: int = 1) -> list[object]:
    out: list[object] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for i, raw in enumerate(lines):
        found = jsonl_record(raw, first + i, REL, "text", source_field)
        if isinstance(found, Item):
            out.append((found.key, found.text, found.source_value, item_hashes(seed, found.key)))
        elif isinstance(found, Corrupt):
            out.append(found)
    return out


def _agrees(data: bytes, source_field: str | None = None, seed: int = 7, first: int = 1) -> bool:
    """True when the lexer answered (and agreed); asserts agreement whenever it answers."""
    found = _lex(data, source_field, seed, first)
    if found is None:
        return False
    assert found == _reference(data, source_field, seed, first)
    return True


json_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    json_text,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(json_text, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    records=st.lists(
        st.tuples(
            json_text,
            st.dictionaries(json_text.filter(lambda k: k not in ("text", "src")), json_value, max_size=3),
            st.one_of(st.none(), json_text),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    ),
    seed=st.integers(-(10**12), 10**12),
    first=st.integers(1, 10**9),
)
def test_ordinary_lines_are_lexed_and_agree_with_json_loads(
    records: list[tuple[str, dict[str, object], str | None, bool]], seed: int, first: int
) -> None:
    lines = []
    for text, extra, source, ascii_only in records:
        record: dict[str, object] = {**extra, "text": text}
        if source is not None:
            record["src"] = source
        lines.append(json.dumps(record, ensure_ascii=ascii_only).encode())
    data = b"\n".join(lines) + b"\n"
    for source_field in (None, "src"):
        assert _agrees(data, source_field, seed, first), "clean JSONL must not be left to the slow reader"


@settings(max_examples=300, deadline=None)
@given(
    text=json_text,
    position=st.integers(0, 10_000),
    byte=st.integers(0, 255),
    mode=st.sampled_from(["replace", "insert", "delete"]),
)
def test_damaged_lines_are_left_to_the_reference_or_read_as_it_reads_them(
    text: str, position: int, byte: int, mode: str
) -> None:
    data = bytearray(
        json.dumps({"id": [1, {"x": "é"}], "text": text, "src": "论坛"}, ensure_ascii=False).encode()
    )
    at = position % (len(data) + 1)
    if mode == "replace" and at < len(data):
        data[at] = byte
    elif mode == "insert":
        data[at:at] = bytes([byte])
    else:
        del data[at : at + 1]
    for source_field in (None, "src"):
        _agrees(bytes(data), source_field)


@pytest.mark.parametrize(
    "line",
    [
        b'{"text": "a\\ud800"}',  # lone surrogate: json.loads keeps it, our texts could not
        b'{"text": "a\\udc00b"}',
        b'\xef\xbb\xbf{"text": "a"}',  # byte-order mark
        b'{"text": 1}',
        b'{"text": null}',
        b'{"x": "no text field"}',
        b"{}",
        b'{"text": "a", "text": "b"}',  # repeated field: json.loads keeps the last
        b'{"text": "a", "n": NaN}',  # json.loads accepts NaN, strict JSON does not
        b'{"text": "a"} trailing',
        b'{"text": "\xed\xa0\x80"}',  # a surrogate encoded in UTF-8
        b'{"text": "\xc0\xaf"}',  # overlong
        b'{"text": "\xf4\x90\x80\x80"}',  # above U+10FFFF
        b'{"text": "tab\there"}',  # raw control character
        b'{"text": "a", "n": 01}',
        b'{"text": "a", "n": 1.}',
        b'{"text": "a", "deep": ' + b"[" * 300 + b"]" * 300 + b"}",
        b"[1]",
        b'"text"',
    ],
)
def test_lines_the_lexer_must_leave_to_python(line: bytes) -> None:
    assert cjsonl.lex(line + b"\n" + b'{"text": "fine"}\n', b"text", None, b"f:", 1, b"0") is None


def test_escaped_field_names_are_the_names_json_loads_sees() -> None:
    assert _agrees(b'{"te\\u0078t": "escaped field name", "\\u001f": 1}')
    assert (
        _agrees(b'{"text": "t", "src": "a", "s\\u0072c": "the last one wins"}', "src") is False
    )  # a repeated field: Python's


def test_blank_lines_count_but_hold_no_item() -> None:
    data = b'{"text": "a"}\n\n  \t\r\n\x0b\x0c\n{"text": "b"}'
    found = cjsonl.lex(data, b"text", None, b"f:", 10, b"0")
    assert found is not None and found[0] == 5
    assert np.frombuffer(found[1], dtype=np.int64).tolist() == [10, 14]
    assert _agrees(data)


def test_source_values_and_escapes() -> None:
    data = "\n".join(
        [
            json.dumps({"text": 'q"\\/\b\f\n\r\t 😀 \u2028', "src": "新闻"}, ensure_ascii=True),
            json.dumps({"src": None, "text": "x"}),
            json.dumps({"text": "y"}),
            json.dumps(
                {"text": "z", "src": 3}
            ),  # a number names no source the lexer can decode: Python decides
        ]
    ).encode()
    assert _agrees(data[: data.rindex(b"\n")], "src")
    assert cjsonl.lex(data, b"text", b"src", b"f:", 1, b"0") is None
    assert _agrees(data)  # without a source field the number is just another field


@settings(max_examples=200, deadline=None)
@given(
    key=st.text(st.characters(exclude_categories=["Cs"]), max_size=300), seed=st.integers(-(10**30), 10**30)
)
def test_item_hashes_are_hashlibs_blake2b(key: str, seed: int) -> None:
    """Keys up to several BLAKE2b blocks long, seeds up to the 64-byte key limit (longer: left to Python)."""
    prefix = key.encode() + b":"
    found = cjsonl.lex(b'{"text": ""}', b"text", None, prefix, 3, str(seed).encode())
    if len(str(seed)) > 64:
        assert found is None
        return
    assert found is not None
    tech = int(np.frombuffer(found[6], dtype=np.uint64)[0])
    manual = int(np.frombuffer(found[7], dtype=np.uint64)[0])
    assert (tech, manual) == item_hashes(seed, f"{key}:3")


def test_texts_checks_its_arguments() -> None:
    data = b'{"text": "abc"}\n{"text": "de"}'
    found = cjsonl.lex(data, b"text", None, b"f:", 1, b"0")
    assert found is not None
    chars, offsets, lengths, escaped = found[2], found[3], found[4], found[5]

    def texts(index: object, block: bytes = data, **columns: bytes) -> str:
        cols = {"offsets": offsets, "lengths": lengths, "escaped": escaped, "chars": chars, **columns}
        return str(
            cjsonl.texts(block, cols["offsets"], cols["lengths"], cols["escaped"], cols["chars"], index)
        )

    assert texts(np.array([1, 0], dtype=np.int64)) == "de\nabc"
    assert texts(np.array([], dtype=np.int64)) == ""
    with pytest.raises(IndexError):
        texts(np.array([2], dtype=np.int64))
    with pytest.raises(IndexError):
        texts(None, data[:5])  # columns of another block
    with pytest.raises(ValueError):
        texts(None, lengths=lengths[:8])
    with pytest.raises(ValueError):
        texts(None, chars=chars[:8])
    # columns that do not describe the bytes are refused, never read or written past
    for wrong in ([3, 3], [2, 2], [4, 2], [0, 0]):
        with pytest.raises(ValueError):
            texts(None, chars=np.array(wrong, dtype=np.int64).tobytes())
    with pytest.raises(ValueError):
        texts(None, escaped=bytes([2 << 1, 0]))  # a kind wider than the text: not a canonical str
    with pytest.raises(ValueError):
        texts(None, block=b'{"text": "\xe4\xb8\xad"}\n{"text": "de"}')  # wider than the recorded kind


def test_a_large_random_block_agrees() -> None:
    rng = random.Random(3)
    alphabet = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞abcXYZ 0123456789 "\\/\n\t😀'
    lines = []
    for i in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        record = {"id": i, "text": text, "meta": {"n": rng.random(), "tags": ["a", None, True]}}
        lines.append(json.dumps(record, ensure_ascii=rng.random() < 0.3).encode())
    data = b"\n".join(lines) + b"\n"
    assert _agrees(data, seed=0)


def _lexed(data: bytes) -> tuple[bytearray, bytearray, bytearray, bytearray]:
    found = cjsonl.lex(data, b"text", None, b"f:", 1, b"0")
    assert found is not None
    return found[2], found[3], found[4], found[5]  # chars, offsets, lengths, flags


@pytest.mark.parametrize(
    ("literal", "flags"),
    [
        ("", 0),
        ("plain ascii", 0),
        ("a\\nb\\u0041", 1),  # escapes that produce ASCII
        ("é ÿ", 1 << 1),  # Latin-1
        ("\\u00e9", 1 | 1 << 1),
        ("Ā", 2 << 1),  # U+0100: two UTF-8 bytes, but past Latin-1
        ("\u07ff 中 \uffff", 2 << 1),
        ("\\u4e2d", 1 | 2 << 1),
        ("\\u0100", 1 | 2 << 1),
        ("😀 𠀀", 3 << 1),  # emoji, CJK Extension B
        ("\\ud83d\\ude00", 1 | 3 << 1),
        ("a é 中 😀", 3 << 1),
        ("\\u00e9中", 1 | 2 << 1),
        ("中\\n", 1 | 2 << 1),
    ],
)
def test_lex_records_whether_a_text_has_escapes_and_its_widest_code_point(literal: str, flags: int) -> None:
    data = ('{"text": "' + literal + '"}').encode()
    chars, offsets, lengths, escaped = _lexed(data)
    assert escaped == bytes([flags])
    text = json.loads(data)["text"]
    assert cjsonl.texts(data, offsets, lengths, escaped, chars, None) == text


_PIECES = [
    "a",
    "plain words ",
    " ",
    "\n",
    '"',
    "\\",
    "\t",
    "\x7f",
    "é",
    "ÿ",
    "Ā",
    "\u07ff",
    "\u0800",
    "中",
    "文字",
    "中华人民共和国" * 3,
    "，。",
    "\uffff",
    "😀",
    "𠀀",
    "\U0010ffff",
]
cjk_text = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.tuples(st.one_of(cjk_text, json_text), st.booleans()), max_size=8),
    index=st.one_of(st.none(), st.lists(st.integers(0, 20), max_size=10)),
)
def test_texts_are_decoded_into_the_kind_of_the_widest_selected_code_point(
    texts: list[tuple[str, bool]], index: list[int] | None
) -> None:
    """Items of every class (and escapes producing each) joined in any selection, empty ones and none
    included: the str must equal the reference join, which also means the same (canonical) kind."""
    data = b"\n".join(json.dumps({"text": t}, ensure_ascii=a).encode() for t, a in texts)
    chars, offsets, lengths, escaped = _lexed(data)
    plain = [t for t, _ in texts]
    at = None if index is None else [i % len(plain) for i in index] if plain else []
    expected = "\n".join(plain if at is None else [plain[i] for i in at])
    chosen = None if at is None else np.array(at, dtype=np.int64)
    assert cjsonl.texts(data, offsets, lengths, escaped, chars, chosen) == expected
    if plain:  # the same with nothing after the last literal (under ASan: no read past it)
        end = int(np.frombuffer(offsets, dtype=np.int64)[-1] + np.frombuffer(lengths, dtype=np.int64)[-1])
        cut = bytes(data[:end])
        assert cjsonl.texts(cut, offsets, lengths, escaped, chars, chosen) == expected


def test_a_literal_cut_inside_a_character_is_refused_not_read_past() -> None:
    data = ('{"text": "' + "中文" * 20 + '"}').encode()
    chars, offsets, lengths, escaped = _lexed(data)
    for cut in (1, 2, 4, 5):
        shorter = (np.frombuffer(lengths, dtype=np.int64) - cut).tobytes()
        with pytest.raises(ValueError):
            cjsonl.texts(data, offsets, shorter, escaped, chars, None)


@given(st.binary(max_size=4000), st.integers(min_value=0, max_value=4000))
def test_newlines_counts_every_line_break_of_any_buffer(data: bytes, cut: int) -> None:
    assert cjsonl.newlines(data) == data.count(b"\n")
    assert cjsonl.newlines(memoryview(data)[:cut]) == data[:cut].count(b"\n")
    assert cjsonl.newlines(bytearray(b"\n" * cut)) == cut
