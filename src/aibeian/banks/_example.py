"""The small bilingual example bank shipped for demos and tests. It is far below every filing quota on
purpose: it shows the format, it is not a filing bank."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

EXAMPLE_BANK_NAME = "example_bank.jsonl"


def example_bank_path() -> Path:
    """Path of the packaged example bank (inside the installed package, read-only)."""
    return Path(str(resources.files("aibeian.banks").joinpath("data", EXAMPLE_BANK_NAME)))
