"""Shared fixtures. Third-party data lives in ../shared/data/external (never copied into this repo)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
EXTERNAL = SHARED / "data" / "external"


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def external_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "external"
