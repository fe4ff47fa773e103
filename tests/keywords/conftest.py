"""Fixtures for the keyword tests: small hand-written libraries and the konsheng lexicon imported at test time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli
from aibeian.keywords import Library, Matcher

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "keywords"

SMALL = """keyword,risk,note
台独,A.1.3,
法轮功,A.1.4,
AV,A.1.6,
臺灣獨立,A.1.3,written traditional on purpose
裸聊,A.1.6,
地域黑,A.2.4,
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def small_library(write: Callable[..., Path]) -> Library:
    return Library.load(write("lib.csv", SMALL))


@pytest.fixture
def matcher(small_library: Library) -> Matcher:
    return Matcher.compile(small_library, allow=["反对台独"])


@pytest.fixture(scope="session")
def konsheng_csv(tmp_path_factory: pytest.TempPathFactory, external_dir: Path) -> Path:
    """The 51k-term konsheng lexicon imported through our own `keywords import` with the shipped mapping."""
    source = external_dir / "konsheng-sensitive-lexicon" / "Vocabulary"
    if not source.is_dir():
        pytest.skip("konsheng lexicon not available")
    out = tmp_path_factory.mktemp("konsheng") / "konsheng.csv"
    result = CliRunner().invoke(
        cli,
        ["keywords", "import", str(source), "--map", str(EXAMPLES / "konsheng_map.yaml"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def konsheng_matcher(konsheng_csv: Path) -> Matcher:
    return Matcher.compile(Library.load(konsheng_csv))
