"""Load and cross-check the packaged regulatory facts (a validated copy of ../shared/spec/)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from aibeian.errors import StandardsDataError
from aibeian.files import packaged_yaml
from aibeian.standards._models import (
    Aspect,
    Document,
    Filing,
    FilingRules,
    Questionnaire,
    Risk,
    RiskGroup,
    Threshold,
)

DATA_FILES = (
    "risks.yaml",
    "thresholds.yaml",
    "filings.yaml",
    "documents.yaml",
    "labeling.yaml",
    "filing_numbers.yaml",
    "readiness.yaml",
)


def data_text(name: str) -> str:
    """The packaged data file ``name`` as text (works from a wheel, without ../shared)."""
    return resources.files("aibeian.standards").joinpath("data", name).read_text(encoding="utf-8")


def _raw(name: str) -> Any:
    try:
        return packaged_yaml(data_text(name))
    except yaml.YAMLError as exc:
        raise StandardsDataError(f"standards/data/{name}: malformed YAML: {exc}") from exc


def _validate(name: str, adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        lines = [f"standards/data/{name}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise StandardsDataError("\n".join(lines)) from exc


@dataclass(frozen=True)
class Standards:
    """The regulatory facts aibeian checks against, each with its status (confirmed / reported / unverified)."""

    standard: str
    groups: tuple[RiskGroup, ...]
    risks: tuple[Risk, ...]
    should_not_refuse_aspects: tuple[Aspect, ...]
    thresholds: tuple[Threshold, ...]
    filing_rules: FilingRules
    documents: tuple[Document, ...]
    questionnaire: Questionnaire
    labeling: dict[str, Any]
    filing_numbers: dict[str, Any]

    @property
    def filings(self) -> tuple[Filing, ...]:
        return tuple(self.filing_rules.filings)

    def risk(self, risk_id: str) -> Risk:
        for r in self.risks:
            if r.id == risk_id:
                return r
        raise KeyError(risk_id)

    def risk_ids(self) -> list[str]:
        return [r.id for r in self.risks]

    def keyword_risks(self) -> list[Risk]:
        """The 17 risks of A.1 and A.2 that the keyword library and the should-refuse bank must cover."""
        return [r for r in self.risks if r.keyword_scope]

    def threshold(self, key: str) -> Threshold:
        for t in self.thresholds:
            if t.key == key:
                return t
        raise KeyError(key)

    def document(self, doc_id: str) -> Document:
        for d in self.documents:
            if d.id == doc_id:
                return d
        raise KeyError(doc_id)

    def filing(self, filing_id: str) -> Filing:
        for f in self.filings:
            if f.id == filing_id:
                return f
        raise KeyError(filing_id)


def _cross_check(s: Standards) -> None:
    problems: list[str] = []
    ids = s.risk_ids()
    if len(ids) != 31 or len(set(ids)) != 31:
        problems.append(f"risks.yaml: expected 31 unique risk ids, found {len(set(ids))}")
    group_ids = {g.id for g in s.groups}
    problems += [
        f"risks.yaml: {r.id} names unknown group {r.group}" for r in s.risks if r.group not in group_ids
    ]
    for g in s.groups:
        n = sum(r.group == g.id for r in s.risks)
        if n != g.count:
            problems.append(f"risks.yaml: group {g.id} says {g.count} risks, has {n}")
    if len(s.keyword_risks()) != 17:
        problems.append(f"risks.yaml: expected 17 keyword-scope risks, found {len(s.keyword_risks())}")
    doc_ids = {d.id for d in s.documents}
    for f in s.filings:
        for d in [*f.documents, *(c.document for c in f.conditional_documents)]:
            if d not in doc_ids:
                problems.append(f"filings.yaml: {f.id} names unknown document {d}")
    if problems:
        raise StandardsDataError("\n".join(problems))


def _models(name: str, key: str, model: type[BaseModel]) -> tuple[Any, ...]:
    raw = _raw(name)
    return tuple(_validate(name, TypeAdapter(list[model]), raw.get(key)))  # type: ignore[valid-type]


@functools.cache
def load_standards() -> Standards:
    """Load, validate and cross-check the packaged facts once per process."""
    risks_raw = _raw("risks.yaml")
    standards = Standards(
        standard=str(risks_raw.get("standard", "")),
        groups=_models("risks.yaml", "groups", RiskGroup),
        risks=_models("risks.yaml", "risks", Risk),
        should_not_refuse_aspects=_models("risks.yaml", "should_not_refuse_aspects", Aspect),
        thresholds=_models("thresholds.yaml", "thresholds", Threshold),
        filing_rules=_validate("filings.yaml", TypeAdapter(FilingRules), _raw("filings.yaml")),
        documents=_models("documents.yaml", "documents", Document),
        questionnaire=_validate("readiness.yaml", TypeAdapter(Questionnaire), _raw("readiness.yaml")),
        labeling=_raw("labeling.yaml"),
        filing_numbers=_raw("filing_numbers.yaml"),
    )
    _cross_check(standards)
    return standards
