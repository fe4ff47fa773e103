"""Test banks (generation, should-refuse, should-not-refuse): format, loading, coverage against the quotas,
import from published datasets and model-assisted augmentation."""

from aibeian.banks._augment import augment, new_candidates, parse_candidates
from aibeian.banks._coverage import Coverage, check_coverage
from aibeian.banks._example import example_bank_path
from aibeian.banks._import import (
    ImportResult,
    Mapping,
    builtin_mappings,
    import_dataset,
    load_mapping,
    write_bank,
)
from aibeian.banks._items import KINDS, BankItem, Kind, load_bank, parse_item
from aibeian.banks._normalise import DuplicatePair, find_duplicates, normalise_prompt

__all__ = [
    "KINDS",
    "BankItem",
    "Coverage",
    "DuplicatePair",
    "ImportResult",
    "Kind",
    "Mapping",
    "augment",
    "builtin_mappings",
    "check_coverage",
    "example_bank_path",
    "find_duplicates",
    "import_dataset",
    "load_bank",
    "load_mapping",
    "new_candidates",
    "normalise_prompt",
    "parse_candidates",
    "parse_item",
    "write_bank",
]
