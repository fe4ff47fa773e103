"""Arrow arrays built from numpy buffers and bytes directly.

``pa.array(...)``, ``pa.scalar(...)`` and ``Array.to_numpy()`` import pandas on first use (pyarrow checks
for pandas objects), which costs a scan worker half a second to a second at start-up for nothing; building
arrays from buffers avoids it and copies nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["int32s", "int64s", "lengths_of", "mask", "one_string", "validate_utf8"]


def int32s(values: npt.NDArray[Any]) -> Any:
    import pyarrow as pa

    data = np.ascontiguousarray(values, dtype=np.int32)
    return pa.Array.from_buffers(pa.int32(), len(data), [None, pa.py_buffer(data)])


def int64s(values: npt.NDArray[Any]) -> Any:
    import pyarrow as pa

    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def mask(values: npt.NDArray[np.bool_]) -> Any:
    """A boolean Arrow array (bit-packed, least significant bit first) from a numpy bool array."""
    import pyarrow as pa

    bits = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def one_string(data: bytes) -> Any:
    """A one-element string array holding ``data`` (not validated)."""
    import pyarrow as pa

    offsets = np.array([0, len(data)], dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def validate_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 (Arrow's vectorised check; the same verdict as ``bytes.decode``)."""
    import pyarrow as pa

    try:
        one_string(data).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def lengths_of(texts: Any) -> npt.NDArray[np.int64]:
    """Code-point lengths of a string array without nulls (what ``len`` gives for each text)."""
    import pyarrow.compute as pc

    found = pc.utf8_length(texts)
    raw = np.frombuffer(found.buffers()[1], dtype=np.int32, count=len(found) + found.offset)
    return raw[found.offset :].astype(np.int64)
