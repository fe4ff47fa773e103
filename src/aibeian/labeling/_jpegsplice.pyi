"""Types of the C extension built from _native/jpegsplice.c (optional: see _jpeg_splice.py)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
from typing_extensions import Buffer

FORMAT: int

def splice(
    data: bytes, x: int, y: int, width: int, height: int, blocks: Sequence[Buffer | np.ndarray[Any, Any]], /
) -> bytes | str: ...
