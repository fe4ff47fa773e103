"""Name → factory registries, the one extension point for targets, judges, engines, label writers and exporters.

Built-ins register with a decorator (``@judges.register("refusal")``); third parties add more through the
entry-point group ``aibeian`` (entry-point names are ``kind.name``, e.g. ``judge.my_judge``), loaded lazily
the first time a registry of that kind is asked for a name it does not know.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Generic, TypeVar

from aibeian.errors import InputError

__all__ = ["Registry"]

T = TypeVar("T")

ENTRY_POINT_GROUP = "aibeian"


class Registry(Generic[T]):
    """A typed mapping from names to factories of one kind (``judge``, ``target``, ``engine`` …)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        def decorate(item: T) -> T:
            if name in self._items and self._items[name] is not item:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._items[name] = item
            return item

        return decorate

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        from importlib.metadata import entry_points  # ≈15 ms: only when a name is looked up

        prefix = f"{self.kind}."
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name.startswith(prefix):
                self._items.setdefault(ep.name[len(prefix) :], ep.load())

    def get(self, name: str) -> T:
        if name not in self._items:
            self._load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            known = self.names()
            close = difflib.get_close_matches(name, known, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise InputError(
                f"unknown {self.kind} {name!r}{hint}", field=self.kind, expected=", ".join(known) or "none"
            ) from None

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._items or name in self.names())
