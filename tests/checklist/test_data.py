"""The packaged checklist: loadable, consistent, and every article it cites for PIPL, DSL, CSL (and the
Minors Protection Law) exists in the law text it names."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from aibeian.checklist import LAWS, load_checklist
from aibeian.checklist._loader import DATA_FILE, chinese_number
from aibeian.dossier import field_defs
from aibeian.errors import StandardsDataError
from aibeian.standards import DATA_FILES, data_text, load_standards

CORPUS_LAWS = {"pipl", "dsl", "csl", "mpl"}


def raw_items() -> list[dict[str, object]]:
    items: list[dict[str, object]] = yaml.safe_load(data_text(DATA_FILE))["items"]
    return items


def test_loads_with_adviser_coverage_and_every_law() -> None:
    cl = load_checklist()
    assert 60 <= len(cl.items) <= 120
    counts = Counter(it.law for it in cl.items)
    assert set(counts) == set(LAWS)
    assert all(counts[law] >= 8 for law in LAWS), counts


def test_ids_in_the_file_are_unique_and_name_their_law() -> None:
    ids = [str(it["id"]) for it in raw_items()]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes
    for it in raw_items():
        assert str(it["id"]).startswith(f"{it['law']}.")


def test_statuses_are_the_spec_convention() -> None:
    assert {str(it["status"]) for it in raw_items()} <= {"confirmed", "reported", "unverified"}


def test_checklist_is_ours_not_a_copy_of_shared_spec() -> None:
    assert DATA_FILE not in DATA_FILES


def test_every_field_it_feeds_is_a_dossier_field_and_every_document_exists() -> None:
    fields = {f.path for f in field_defs()}
    docs = {d.id: d for d in load_standards().documents}
    for it in load_checklist().items:
        for field in it.fields():
            assert field in fields, f"{it.id} feeds unknown dossier field {field}"
        for doc in it.documents():
            doc_id, _, section = doc.partition("#")
            assert doc_id in docs, f"{it.id} feeds unknown document {doc_id}"
            if section:
                assert section in {s.id for s in docs[doc_id].sections}, f"{it.id}: no section {doc}"


def test_an_ai_rule_is_confirmed_only_when_the_spec_says_so() -> None:
    """The AI rules are not in cn-laws-corpus: an item citing one as its main source is confirmed only
    with a spec citation; an item from a law in the corpus says so in its source."""
    cl = load_checklist()
    for it in cl.items:
        corpus = cl.instrument(it.article.instrument).corpus
        if it.status == "confirmed":
            assert it.source.startswith("spec/") or (corpus and it.source.startswith("cn-laws-corpus")), it.id


@pytest.mark.parametrize(
    ("n", "zh"),
    [
        (1, "一"),
        (10, "十"),
        (14, "十四"),
        (20, "二十"),
        (29, "二十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (132, "一百三十二"),
    ],
)
def test_chinese_article_numbers(n: int, zh: str) -> None:
    assert chinese_number(n) == zh


def law_articles(path: Path) -> set[str]:
    return set(
        re.findall(r"^第([零一二三四五六七八九十百]+)条", path.read_text(encoding="utf-8"), flags=re.M)
    )


def test_cited_law_articles_exist_in_the_law_texts(external_dir: Path) -> None:
    corpus = external_dir / "cn-laws-corpus"
    if not corpus.is_dir():
        pytest.skip("cn-laws-corpus is not available")
    cl = load_checklist()
    texts = {ins.id: law_articles(corpus / ins.corpus) for ins in cl.instruments if ins.corpus}
    assert set(texts) == CORPUS_LAWS
    assert all(len(v) > 50 for v in texts.values())
    cited = 0
    for it in cl.items:
        for ref in it.refs():
            if ref.instrument in CORPUS_LAWS:
                assert ref.articles, f"{it.id} cites {ref.instrument} without an article"
                for n in ref.articles:
                    assert chinese_number(n) in texts[ref.instrument], f"{it.id}: {ref.instrument} Art. {n}"
                    cited += 1
    assert cited >= 50


def test_items_from_the_laws_cite_their_own_law() -> None:
    law_instrument = {"pipl": "pipl", "dsl": "dsl", "csl": "csl"}
    for it in load_checklist().items:
        if it.law in law_instrument:
            assert it.article.instrument == law_instrument[it.law], it.id
            assert it.status == "confirmed", it.id


def test_a_bad_edit_of_the_data_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    import aibeian.checklist._loader as loader

    good = data_text(DATA_FILE)
    bad = good.replace("feeds: [measures.personal_information]", "feeds: [doc:no-such-document]", 1)
    bad = bad.replace("status: confirmed", "status: maybe", 1)
    monkeypatch.setattr(loader, "data_text", lambda name: bad)
    loader.load_checklist.cache_clear()
    try:
        with pytest.raises(StandardsDataError, match="status"):
            loader.load_checklist()
        monkeypatch.setattr(
            loader,
            "data_text",
            lambda name: good.replace("feeds: [measures.personal_information]", "feeds: [doc:nope]", 1),
        )
        loader.load_checklist.cache_clear()
        with pytest.raises(StandardsDataError, match="unknown document nope"):
            loader.load_checklist()
    finally:
        loader.load_checklist.cache_clear()
