"""Which facts each filing's documents need. The field list is data (``data/facts.yaml``); the documents of
each filing come from the standards, so adding a document or a field is an edit of data, not code."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aibeian.files import packaged_yaml
from aibeian.standards import load_standards

FilingId = Literal["genai", "algorithm", "registration"]
FieldType = Literal["text", "long_text", "int", "number", "date", "bool", "list", "table"]

# Documents we draft as .docx from templates; the keyword list and the test set are exported as .xlsx.
XLSX_DOCUMENTS = ("keyword-list", "evaluation-test-set")


class FieldDef(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    type: FieldType
    zh: str
    en: str
    example: Any
    documents: tuple[str, ...]
    columns: tuple[str, ...] = ()
    columns_zh: tuple[str, ...] = ()
    optional: bool = False


@functools.cache
def field_defs() -> tuple[FieldDef, ...]:
    text = resources.files("aibeian.dossier").joinpath("data", "facts.yaml").read_text(encoding="utf-8")
    return tuple(FieldDef(**f) for f in packaged_yaml(text)["fields"])


def field_def(path: str) -> FieldDef:
    for f in field_defs():
        if f.path == path:
            return f
    raise KeyError(path)


def documents_for(filing: FilingId, *, calls_third_party_model: bool = False) -> list[str]:
    """The documents a filing needs: the filing's list, plus third-party proof when a model is called."""
    spec = load_standards().filing(filing)
    docs = list(spec.documents)
    if calls_third_party_model:
        docs += [c.document for c in spec.conditional_documents if c.document == "third-party-model-proof"]
    return list(dict.fromkeys(docs))


def fields_for(documents: list[str]) -> list[FieldDef]:
    """Fields used by any of ``documents``, in the order of the field list."""
    wanted = set(documents)
    return [f for f in field_defs() if wanted & set(f.documents)]
