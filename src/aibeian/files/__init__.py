"""Reading users' files with exact locations for errors, and writing outputs atomically.

Every loader in aibeian reads through here so that a mistake in any input file is reported the same way
(file, line, column, field) and no command ever leaves a half-written output behind.
"""

from aibeian.files._atomic import atomic_output, atomic_write_bytes, atomic_write_text
from aibeian.files._structured import LocatedDocument, load_structured, packaged_yaml, parse_structured
from aibeian.files._text import read_text

__all__ = [
    "LocatedDocument",
    "atomic_output",
    "atomic_write_bytes",
    "atomic_write_text",
    "load_structured",
    "packaged_yaml",
    "parse_structured",
    "read_text",
]
