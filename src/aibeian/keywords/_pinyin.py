"""Pinyin spellings of a keyword, added to the automaton as extra literals tagged with the same keyword.

Writing 法轮功 as ``fa lun gong`` or ``FaLunGong`` is the cheapest evasion there is. Spaces and case already
fold away in normalisation, so one literal per spelling (``falungong``) catches every separator and case.
Only keywords with at least two Chinese characters get a pinyin literal: a single syllable such as ``fa``
is an everyday Latin string, and even two syllables only match at Latin word boundaries (the matcher
checks that). We take pypinyin's reading in context (its phrase dictionary picks the reading of 多音字), not
every heteronym combination, which would multiply literals and false positives. ü is written ``v`` by
pypinyin; people type ``u`` as often, so both spellings are added.
"""

from __future__ import annotations

import functools
import re

from pypinyin import Style, lazy_pinyin

from aibeian.keywords._normalise import normalise_keyword

__all__ = ["MIN_SYLLABLES", "pinyin_literals"]

MIN_SYLLABLES = 2
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@functools.lru_cache(maxsize=65536)
def pinyin_literals(keyword: str) -> tuple[str, ...]:
    """Normalised pinyin literals for ``keyword`` (already normalised), or none when it has < 2 Han chars."""
    if len(_HAN.findall(keyword)) < MIN_SYLLABLES:
        return ()
    spelled = normalise_keyword("".join(lazy_pinyin(keyword, style=Style.NORMAL, errors="default")))
    if not spelled or _HAN.search(spelled):
        return ()  # a character pypinyin cannot read: no reliable spelling
    spellings = {spelled, spelled.replace("v", "u")} if "v" in spelled else {spelled}
    return tuple(sorted(spellings))
