"""Normalisation: each fold, and property tests that the offset map always leads back to the original."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from aibeian.keywords import normalise, normalise_keyword
from aibeian.keywords._normalise import CODE_MASK, NOISE, table


def test_traditional_fullwidth_case_and_noise_fold() -> None:
    assert normalise_keyword("臺獨") == "台独"
    assert normalise_keyword("ＡＢＣ１２３") == "abc123"
    assert normalise_keyword("FaLunGong") == "falungong"
    assert normalise_keyword("台*独") == "台独"
    assert normalise_keyword("台\u200b独") == "台独"  # zero-width space
    assert normalise_keyword("台👍🏽独") == "台独"  # emoji with a skin-tone modifier
    assert normalise_keyword("台，独。") == "台独"
    assert normalise_keyword("⼈民") == "人民"  # Kangxi radical folds to the ideograph, not to noise


def test_line_breaks_survive_as_newline() -> None:
    for brk in ("\n", "\r\n", "\u2028", "\u2029", "\r"):
        assert "\n" in normalise(f"台{brk}独").text


def test_index_points_at_surviving_characters() -> None:
    n = normalise("a＊Ｂ 臺")
    assert n.text == "ab台"
    assert n.index.tolist() == [0, 2, 4]
    assert n.original_span(1, 3) == (2, 5)


def test_surrogates_and_astral_characters_do_not_break_offsets() -> None:
    n = normalise("𠀀x\udc80y")
    assert n.index.tolist()[0] == 0
    assert n.text.endswith("y")


text_chars = st.characters(codec="utf-8", exclude_categories=("Cs",))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=text_chars, max_size=60))
def test_offset_map_is_exact(text: str) -> None:
    n = normalise(text)
    assert len(n.index) == len(n.text)
    assert np.all(np.diff(n.index) > 0)
    packed = table()
    for i, pos in enumerate(n.index.tolist()):
        entry = int(packed[ord(text[pos])])
        assert entry & NOISE == 0
        assert ord(n.text[i]) == entry & CODE_MASK
    dropped = set(range(len(text))) - set(n.index.tolist())
    assert all(int(packed[ord(text[p])]) & NOISE for p in dropped)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=text_chars, max_size=40))
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalise(text).text
    assert normalise(once).text == once
