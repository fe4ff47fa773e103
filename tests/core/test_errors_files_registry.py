"""The shared plumbing: error tree, located file loading, atomic writes, registries, settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aibeian.errors import AibeianError, InputError, MissingDependencyError, Problem, StandardsDataError
from aibeian.files import atomic_output, atomic_write_text, load_structured, parse_structured, read_text
from aibeian.registry import Registry
from aibeian.settings import Settings


def test_problem_and_input_error_format() -> None:
    p = Problem("is empty", path="k.csv", line=418, column=2, field="risk", expected="a risk id")
    assert str(p) == 'k.csv line 418 column 2: "risk": is empty; expected a risk id'
    err = InputError("bad", path="a.yaml", line=3, field="icp", expected="x", problems=[p])
    assert len(err.problems) == 2 and err.path == "a.yaml" and err.line == 3 and err.field == "icp"
    assert err.expected == "x" and "k.csv line 418" in str(err)
    assert err.problems[1].to_dict()["line"] == 418
    assert isinstance(err, AibeianError) and err.exit_code == 2
    assert StandardsDataError.exit_code == 3
    with pytest.raises(ValueError):
        InputError()


def test_missing_dependency_says_how_to_install() -> None:
    assert 'pip install "aibeian[ray]"' in str(
        MissingDependencyError("ray", extra="ray", purpose="the Ray engine")
    )
    assert "pip install foo" in str(MissingDependencyError("foo"))


def test_read_text_handles_bom_gbk_and_missing(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfkeyword,risk\n")
    assert read_text(bom) == "keyword,risk\n"
    with pytest.raises(InputError, match="byte-order mark"):
        read_text(bom, allow_bom=False)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("keyword,risk\n台独,A.1.3\n".encode("gbk"))
    with pytest.raises(InputError) as info:
        read_text(gbk)
    assert info.value.line == 2 and "GB18030" in str(info.value)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"ok\n\xff\xfe")
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_text(latin)
    with pytest.raises(InputError, match="file not found"):
        read_text(tmp_path / "missing")
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path)


def test_structured_documents_locate_keys(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\nb:\n  - x\n  - y\nc: {d: 2}\n", encoding="utf-8")
    doc = load_structured(path)
    assert doc.data == {"a": 1, "b": ["x", "y"], "c": {"d": 2}}
    assert doc.line_of(("b", 1)) == 4 and doc.line_of(("c", "d")) == 5 and doc.line_of(("zz",)) == 1
    assert doc.column_of(("b", 1)) == 5
    empty = parse_structured("", source="e.yaml")
    assert empty.data is None and empty.line_of(("x",)) is None and empty.column_of(("x",)) is None
    assert parse_structured("d: 2025-13-01\n", source="d.yaml").data == {"d": "2025-13-01"}  # dates stay text
    js = parse_structured('{"a": [1,\n 2]}', source="f.json", fmt="json")
    assert js.data == {"a": [1, 2]} and js.line_of(("a", 1)) == 2


def test_atomic_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    atomic_write_text(target, "第一版")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("crash")
    assert target.read_text(encoding="utf-8") == "第一版"
    assert os.listdir(tmp_path) == ["out.txt"]
    with pytest.raises(InputError, match="does not exist"):
        atomic_write_text(tmp_path / "no" / "x.txt", "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_atomic_write_to_read_only_folder(tmp_path: Path) -> None:  # pragma: no cover - not as root
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(InputError, match="permission denied"):
        atomic_write_text(ro / "x.txt", "x")


@given(st.text())
def test_atomic_write_round_trips_any_text(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        target = Path(d) / "t.txt"
        encodable = text.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")
        atomic_write_text(target, encodable)
        assert target.read_bytes().decode("utf-8") == encodable


def test_registry_registers_suggests_and_refuses_twice() -> None:
    judges: Registry[object] = Registry("judge")

    @judges.register("refusal")
    def refusal() -> str:
        return "r"

    assert judges.get("refusal") is refusal and judges.names() == ["refusal"] and "refusal" in judges
    assert 5 not in judges
    with pytest.raises(InputError, match='did you mean "refusal"'):
        judges.get("refusl")
    with pytest.raises(ValueError, match="twice"):
        judges.register("refusal")(lambda: "other")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIBEIAN_HOME", str(tmp_path))
    monkeypatch.setenv("AIBEIAN_LANG", "en")
    s = Settings()
    assert s.home == tmp_path and s.lang == "en" and s.cache_dir == tmp_path / "cache"
    assert s.database_url() == f"sqlite:///{tmp_path / 'aibeian.sqlite3'}"
    assert Settings(db_url="postgresql://x/y").database_url() == "postgresql://x/y"
