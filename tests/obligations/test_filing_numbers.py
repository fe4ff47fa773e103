"""Filing numbers: every published example in the spec parses valid; malformed ones say why."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from aibeian.cli.main import cli
from aibeian.obligations import parse_filing_number
from aibeian.obligations._filing_numbers import _check_digit
from aibeian.standards import load_standards

SPEC = load_standards().filing_numbers


@pytest.mark.parametrize("number", SPEC["algorithm"]["examples_valid"])
def test_published_algorithm_numbers_are_valid(number: str) -> None:
    p = parse_filing_number(number)
    assert p.kind == "algorithm" and p.valid, p.problems
    assert p.fields["province_code"] in ("11", "33", "44") and p.fields["year"] in (2022, 2023, 2024)


@pytest.mark.parametrize("number", SPEC["genai"]["examples_valid"])
def test_published_genai_numbers_are_valid(number: str) -> None:
    p = parse_filing_number(number)
    assert p.kind == "genai" and p.valid, p.problems
    assert p.fields["date"] is not None


def test_decoding_an_algorithm_number() -> None:
    f = parse_filing_number("网信算备330110507206401230035号").fields
    assert f == {
        "division_code": "330110",
        "province_code": "33",
        "province": "浙江省",
        "entity_code": "5072064",
        "algorithm_type": "01",
        "algorithm_type_name": f["algorithm_type_name"],
        "year": 2023,
        "sequence": 3,
        "check_digit": 5,
    }
    assert f["algorithm_type_name"].startswith("生成合成类")


def test_full_width_and_spaces_are_tolerated() -> None:
    assert parse_filing_number(" 网信算备 １１０１０８９７０５５０１０１２４００１１ 号").valid


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("网信算备110108970550101240012号", "check digit"),
        ("网信算备990108970550101240011号", "province code"),
        ("网信算备110108970550199240011号", "algorithm type"),
        ("网信算备11010897055010124001号", "has 21 digits"),
        ("网信算备110108970550101240011", "ends with 号"),
        ("Beijing-ChatGLM-20231341", "not a real date"),
        ("Atlantis-Model-20240101", "not a province"),
        ("Beijing-Model-20990101", "in the future"),
        ("beijing model", "not an algorithm"),
        ("", "empty input"),
    ],
)
def test_malformed_numbers_say_why(number: str, reason: str) -> None:
    p = parse_filing_number(number)
    assert not p.valid
    assert any(reason in problem for problem in p.problems), p.problems


def test_registration_numbers_are_checked_permissively_and_say_so() -> None:
    p = parse_filing_number("Beijing-ShiLiZhuShou-20250101S12")
    assert p.kind == "registration" and p.valid
    assert p.checks[0].status == "unverified"


@given(st.text(alphabet="0123456789", min_size=20, max_size=20))
def test_computed_check_digit_always_validates(digits: str) -> None:
    number = f"网信算备{digits}{_check_digit(digits)}号"
    p = parse_filing_number(number)
    assert not any("check digit" in x for x in p.problems)
    wrong = (_check_digit(digits) + 2) % 10
    assert any("check digit" in x for x in parse_filing_number(f"网信算备{digits}{wrong}号").problems)


def test_cli_json_shape_and_exit_codes() -> None:
    ok = CliRunner().invoke(
        cli, ["filing-number", "parse", "Beijing-DeepseekChat-202404280016", "--format", "json"]
    )
    assert ok.exit_code == 0
    data = json.loads(ok.output)
    assert set(data) >= {"input", "kind", "valid", "fields", "problems"} and data["kind"] == "genai"
    bad = CliRunner().invoke(cli, ["filing-number", "parse", "网信算备123号"])
    assert bad.exit_code == 1 and "invalid" in bad.output and "Traceback" not in bad.output
    many = CliRunner().invoke(
        cli, ["filing-number", "parse", "网信算备110108970550101240011号", "x", "--format", "json"]
    )
    assert [d["valid"] for d in json.loads(many.output)] == [True, False]
