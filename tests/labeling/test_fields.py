"""The AIGC record: field names and rules come from the standards data; values are validated strictly."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aibeian.labeling import FIELD_NAMES, MAX_LENGTH, LabelMeta, parse_record, validate_value
from aibeian.standards import load_standards


def test_field_names_are_the_standards() -> None:
    spec = load_standards().labeling["implicit"]["fields"]
    assert tuple(f["name"] for f in spec) == FIELD_NAMES
    assert set(MAX_LENGTH) == set(FIELD_NAMES)


def test_record_json_has_all_seven_keys_in_order() -> None:
    meta = LabelMeta(ContentProducer="示例科技", ProduceID="x-1")
    data = json.loads(meta.to_json())
    assert list(data) == list(FIELD_NAMES)
    assert data["Label"] == "1" and data["ReservedCode2"] == ""
    assert " " not in meta.to_json()  # compact, as the standard's examples


@pytest.mark.parametrize("label", ["1", "2", "3"])
def test_label_values_from_spec_are_valid(label: str) -> None:
    assert validate_value("Label", label) == []


@pytest.mark.parametrize("label", ["0", "4", "是", "11"])
def test_other_label_values_are_refused(label: str) -> None:
    assert validate_value("Label", label)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("abc-123_XYZ", True),
        ("示例科技有限公司", True),
        ('a"b', True),
        ("a b", False),
        ("a\\b", False),
        ("tab\there", False),
        ("nl\n", False),
        ("zero\u200bwidth", False),
        ("ideographic\u3000space", False),
        ("\x7f", False),
    ],
)
def test_value_charset(value: str, ok: bool) -> None:
    assert (validate_value("ProduceID", value) == []) is ok


def test_required_fields_must_not_be_empty_optional_may() -> None:
    assert validate_value("ContentProducer", "")
    assert validate_value("ProduceID", "")
    assert validate_value("ContentPropagator", "") == []


def test_lengths_at_and_over_the_limit() -> None:
    for name, limit in MAX_LENGTH.items():
        if name == "Label":
            continue
        assert validate_value(name, "a" * limit) == []
        problems = validate_value(name, "a" * (limit + 1))
        assert problems and "characters" in (problems[0].expected or "")


def test_parse_record_reports_bad_json_and_unknown_fields() -> None:
    meta, problems = parse_record("{not json")
    assert meta is None and "JSON" in problems[0].message
    meta, problems = parse_record('{"Label":"1","ContentProducer":"p","ProduceID":"i","Extra":"x"}')
    assert meta is not None and any("unknown" in p.message for p in problems)
    meta, problems = parse_record('{"ContentProducer":"p","ProduceID":"i"}')
    assert any(p.field == "Label" for p in problems)


_ALLOWED = st.characters(
    codec="utf-8",
    categories=["Lu", "Ll", "Nd", "Lo", "Pd", "Pc", "Po", "Sm"],
    exclude_characters="\\ ",
)


def value(name: str) -> st.SearchStrategy[str]:
    return st.text(_ALLOWED, min_size=1, max_size=MAX_LENGTH[name])


records = st.builds(
    LabelMeta,
    Label=st.sampled_from(["1", "2", "3"]),
    ContentProducer=value("ContentProducer"),
    ProduceID=value("ProduceID"),
    ReservedCode1=st.one_of(st.just(""), value("ReservedCode1")),
    ContentPropagator=st.one_of(st.just(""), value("ContentPropagator")),
    PropagateID=st.one_of(st.just(""), value("PropagateID")),
)


def _longest(fill: str) -> LabelMeta:
    return LabelMeta(
        Label="3", **{n: (fill * MAX_LENGTH[n])[: MAX_LENGTH[n]] for n in FIELD_NAMES if n != "Label"}
    )


LONGEST_ZH = _longest("人工智能生成合成内容")
LONGEST_ASCII = _longest('"Q{x}~!')


def test_longest_records_are_valid() -> None:
    assert LONGEST_ZH.problems() == [] and LONGEST_ASCII.problems() == []
    assert len(LONGEST_ZH.ReservedCode1) == MAX_LENGTH["ReservedCode1"]


@settings(max_examples=200, deadline=None)
@given(records)
@example(LONGEST_ZH)
@example(LONGEST_ASCII)
def test_record_json_round_trip(meta: LabelMeta) -> None:
    assert meta.problems() == []
    back, problems = parse_record(meta.to_json())
    assert problems == [] and back == meta
