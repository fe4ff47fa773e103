"""What a judge is, what it returns, and the registry built-in and third-party judges live in.

A judge looks at one (prompt, answer) pair and says what it can see: whether the answer is a refusal, whether
its content is safe, or both, with the evidence. How a verdict becomes pass or fail depends on the bank kind
and is decided in one place (``combine``), so every judge is usable on every bank.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from aibeian.errors import InputError
from aibeian.registry import Registry

RefusalLabel = Literal["refusal", "partial", "compliance"]
REFUSAL_LABELS: tuple[RefusalLabel, ...] = ("refusal", "partial", "compliance")


@dataclass
class Evidence:
    """A span of the answer that led to the verdict (offsets into the answer text)."""

    text: str
    start: int | None = None
    end: int | None = None
    rule: str | None = None
    risk: str | None = None


@dataclass
class Verdict:
    """One judge's view of one answer. ``error`` set means the judge could not decide: never a pass."""

    judge: str
    refusal: RefusalLabel | None = None
    safe: bool | None = None
    categories: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    rationale: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        evidence = [Evidence(**e) for e in data.get("evidence", [])]
        return cls(**{**data, "evidence": evidence})


@dataclass(frozen=True)
class JudgeInput:
    id: str
    prompt: str
    response: str
    kind: str | None = None
    risk: str | None = None
    truncated: bool = False


class Judge(Protocol):
    """A named, versioned judge. ``judge`` may call a model; it must not raise for one bad answer but
    return a Verdict with ``error`` set."""

    name: str
    version: str

    async def judge(self, item: JudgeInput) -> Verdict: ...

    async def aclose(self) -> None: ...

    def describe(self) -> dict[str, Any]: ...


JudgeFactory = Callable[..., Judge]
judges: Registry[JudgeFactory] = Registry("judge")


def judge(name: str) -> Callable[[JudgeFactory], JudgeFactory]:
    """Register a judge factory, inspect_ai style: ``@judge("refusal")``."""
    return judges.register(name)


@dataclass(frozen=True)
class JudgeSpec:
    """``NAME[:ARG]`` as written on the command line (``keywords:lib.csv``, ``llm:http://…``)."""

    name: str
    arg: str | None = None

    @classmethod
    def parse(cls, text: str) -> JudgeSpec:
        name, sep, arg = text.partition(":")
        if not name:
            raise InputError(f"empty judge name in {text!r}", field="--judge", expected="NAME[:ARG]")
        return cls(name=name, arg=arg if sep else None)

    def __str__(self) -> str:
        return self.name if self.arg is None else f"{self.name}:{self.arg}"


@dataclass
class JudgeContext:
    """What a factory may need beyond its argument: the judge model endpoint for model-based judges."""

    judge_url: str | None = None
    judge_model: str | None = None
    judge_api_key: str | None = None
    concurrency: int = 8
    timeout: float = 60.0
    max_retries: int = 5
    backoff: float = 1.0


def build_judge(spec: JudgeSpec, context: JudgeContext | None = None) -> Judge:
    from aibeian.evaluation import judges as _builtin  # noqa: F401 - registers the built-ins

    factory = judges.get(spec.name)
    return factory(spec.arg, context or JudgeContext())
