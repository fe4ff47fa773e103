"""The filing dossier: facts file, completeness check against runs, .docx/.xlsx documents in simplified
Chinese (English drafts as a translation aid), and a verified zip package."""

from aibeian.dossier._build import build_dossier
from aibeian.dossier._check import CheckResult, check_dossier
from aibeian.dossier._checklist import ChecklistUse, use_checklist
from aibeian.dossier._facts import Facts, init_facts_text, load_facts, load_triage
from aibeian.dossier._package import package, verify_package
from aibeian.dossier._runs import RunSummary, load_run
from aibeian.dossier._schema import FieldDef, documents_for, field_defs, fields_for

__all__ = [
    "CheckResult",
    "ChecklistUse",
    "Facts",
    "FieldDef",
    "RunSummary",
    "build_dossier",
    "check_dossier",
    "documents_for",
    "field_defs",
    "fields_for",
    "init_facts_text",
    "load_facts",
    "load_run",
    "load_triage",
    "package",
    "use_checklist",
    "verify_package",
]
