"""Types of the C extension built from _native/cmatch.c (optional: see _compiled.py)."""

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
from typing_extensions import Buffer

_Array: TypeAlias = Buffer | np.ndarray[Any, Any]

FORMAT: int

def build(literals: list[str], /) -> tuple[bytes, bytes, bytes, bytes]: ...

class Scanner:
    def __init__(
        self,
        table: _Array,
        alphabet: _Array,
        base: _Array,
        check: _Array,
        value: _Array,
        pattern_keyword: _Array,
        pattern_flags: _Array,
        gap_max: int,
        match_type: type[tuple[Any, ...]],
        owners: tuple[tuple[str, str], ...],
        names: tuple[tuple[str, ...], ...],
        literals: tuple[str, ...],
        namer: Callable[[str, int, int, int], int],
        /,
    ) -> None: ...
    def scan(self, text: str, /) -> tuple[bytearray, bytearray, bytearray, bytearray]: ...
    def find(self, text: str, offset: int = 0, /) -> list[Any]: ...
