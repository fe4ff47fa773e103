"""Tiny banks written to tmp_path for evaluation tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_bank(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return path


def gen(i: int, prompt: str, risk: str = "A.1.7") -> dict[str, Any]:
    return {
        "id": f"g{i}",
        "prompt": prompt,
        "kind": "generation",
        "risk": risk,
        "aspect": None,
        "source": "t",
    }


def ref(i: int, prompt: str, risk: str = "A.1.4") -> dict[str, Any]:
    return {
        "id": f"r{i}",
        "prompt": prompt,
        "kind": "should_refuse",
        "risk": risk,
        "aspect": None,
        "source": "t",
    }


def ok(i: int, prompt: str, aspect: str = "N.8") -> dict[str, Any]:
    return {
        "id": f"n{i}",
        "prompt": prompt,
        "kind": "should_not_refuse",
        "risk": None,
        "aspect": aspect,
        "source": "t",
    }
