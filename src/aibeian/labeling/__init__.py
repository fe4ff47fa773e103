"""AIGC content labels (GB 45438-2025): write and verify explicit and implicit labels, format by format.

``apply`` writes a labelled copy, ``verify`` reports what a file carries, ``propagate`` adds a platform's
fields. Writers register per format in ``label_writers`` (kind ``label_writer``).
"""

from aibeian.labeling import _audio, _docx, _image, _pdf, _raster, _text, _video  # noqa: F401 - importing registers the writers
from aibeian.labeling._api import ApplyResult, apply, output_path, propagate, verify
from aibeian.labeling._fields import FIELD_NAMES, MAX_LENGTH, LabelMeta, parse_record, validate_value
from aibeian.labeling._handler import (
    AUDIO_NOTICES,
    DEFAULT_TEXT,
    ApplyOptions,
    LabelWriter,
    label_writers,
    writer_for,
)
from aibeian.labeling._render import find_cjk_font
from aibeian.labeling._report import ExplicitResult, FieldResult, ImplicitResult, Inspection, LabelReport

__all__ = [
    "AUDIO_NOTICES",
    "DEFAULT_TEXT",
    "FIELD_NAMES",
    "MAX_LENGTH",
    "ApplyOptions",
    "ApplyResult",
    "ExplicitResult",
    "FieldResult",
    "ImplicitResult",
    "Inspection",
    "LabelMeta",
    "LabelReport",
    "LabelWriter",
    "apply",
    "find_cjk_font",
    "label_writers",
    "output_path",
    "parse_record",
    "propagate",
    "validate_value",
    "verify",
    "writer_for",
]
