"""The one exception tree of aibeian.

::

    AibeianError                  anything we raise on purpose; the CLI prints it without a traceback
    ├── InputError                a user's file or argument is wrong: carries one or more Problems
    │                             (path, line, column, field, expected) so every mistake is named at once
    ├── StandardsDataError        the packaged regulatory data is inconsistent (a bug or a bad edit)
    ├── StorageError              the database is unreachable or at the wrong migration
    ├── TargetError               a model endpoint we call failed (network, auth, garbage)
    ├── EngineError               a scan engine (local, Ray) failed
    └── MissingDependencyError    an optional dependency is not installed; says how to install it

Errors from drivers (sqlite3, psycopg, httpx, Ray, yaml) are caught where they enter and re-raised as one
of these ``from exc``, so callers handle one tree and users read one kind of message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "AibeianError",
    "EngineError",
    "InputError",
    "MissingDependencyError",
    "Problem",
    "StandardsDataError",
    "StorageError",
    "TargetError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough that a user can fix it without guessing."""

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    expected: str | None = None

    def location(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return " ".join(parts)

    def __str__(self) -> str:
        text = self.message
        if self.field:
            text = f'"{self.field}": {text}'
        where = self.location()
        if where:
            text = f"{where}: {text}"
        if self.expected:
            text = f"{text}; expected {self.expected}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "expected": self.expected,
        }


class AibeianError(Exception):
    """Base of every error we raise on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class InputError(AibeianError):
    """A user's input is wrong. Holds every problem found, so one run reports them all."""

    def __init__(
        self,
        message: str | None = None,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        collected = list(problems)
        if message is not None:
            collected.insert(
                0, Problem(message, path=path, line=line, column=column, field=field, expected=expected)
            )
        if not collected:
            raise ValueError("InputError needs a message or at least one problem")
        self.problems: tuple[Problem, ...] = tuple(collected)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def path(self) -> str | None:
        return self.problems[0].path

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    @property
    def field(self) -> str | None:
        return self.problems[0].field

    @property
    def expected(self) -> str | None:
        return self.problems[0].expected


class StandardsDataError(AibeianError):
    """The packaged regulatory facts do not validate: a bug or a bad edit of the data, never the user's."""

    exit_code = 3


class StorageError(AibeianError):
    """The store cannot be used: unreachable database, wrong migration, locked file."""


class TargetError(AibeianError):
    """A model endpoint (the customer's model or a judge) failed in a way retries did not fix."""


class EngineError(AibeianError):
    """A scan engine (local or Ray) failed."""


class MissingDependencyError(AibeianError):
    """An optional dependency is absent. The message always says which extra or package to install."""

    def __init__(self, package: str, *, extra: str | None = None, purpose: str = "") -> None:
        hint = f'pip install "aibeian[{extra}]"' if extra else f"pip install {package}"
        what = f" for {purpose}" if purpose else ""
        super().__init__(f"{package} is needed{what} but is not installed; install it with: {hint}")
        self.package = package
        self.extra = extra
