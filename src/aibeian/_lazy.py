"""Package exports loaded on first use (PEP 562).

Why: a corpus-scan worker process needs the shard function and the compiled matcher, but importing a package
``__init__`` that re-exports everything pulled in the evaluation harness, pydantic models, pinyin tables and
the report writers — most of a second per worker, paid before the first shard. With lazy exports a package
still offers ``from aibeian.corpus import assess``, and each name's module is imported when first asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public ``name`` lives in submodule
    ``where[name]`` (relative, like ``"_api"``)."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - the PEP 562 hook itself
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        globals_of(package)[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:  # noqa: N807 - the PEP 562 hook itself
        return sorted(set(globals_of(package)) | set(where))

    return __getattr__, __dir__


def globals_of(package: str) -> dict[str, Any]:
    import sys

    return vars(sys.modules[package])
