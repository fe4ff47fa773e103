"""Tracking numbers (受理编号) a reporter keeps to follow a complaint: ``TS-YYYYMMDD-XXXXXXXX-C``.

Forty random bits (eight Crockford base-32 characters) make the number unguessable, because the public
status page shows anything to whoever holds it; the check character (mod 37) catches a mistyped character
before the database is asked. Crockford's alphabet has no I, L, O or U, so a number read aloud or copied by
hand survives: lower case, spaces, O for 0 and I/L for 1 are all accepted.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from aibeian.errors import InputError

__all__ = ["new_tracking_number", "normalise_tracking_number"]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK = ALPHABET + "*~$=U"
_SHAPE = re.compile(r"^TS-?(\d{8})-?([0-9A-Z]{8})-?([0-9A-Z*~$=])$")


def _check(date_part: str, body: str) -> str:
    value = int(date_part) * 32**8 + sum(ALPHABET.index(c) * 32**i for i, c in enumerate(reversed(body)))
    return CHECK[value % 37]


def new_tracking_number(received: dt.date) -> str:
    date_part = received.strftime("%Y%m%d")
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"TS-{date_part}-{body}-{_check(date_part, body)}"


def normalise_tracking_number(text: str) -> str:
    """The canonical form of a typed tracking number; InputError saying what is wrong otherwise."""
    raw = re.sub(r"\s+", "", text or "").upper().replace("O", "0").replace("I", "1").replace("L", "1")
    m = _SHAPE.match(raw)
    if m is None:
        raise InputError(
            f"{text[:60]!r} is not a tracking number",
            field="tracking",
            expected="TS-YYYYMMDD-XXXXXXXX-C, as shown after submitting",
        )
    date_part, body, check = m.groups()
    if _check(date_part, body) != check:
        raise InputError(
            f"{text[:60]!r} has a wrong check character; a character was probably mistyped",
            field="tracking",
            expected="the number exactly as shown after submitting",
        )
    return f"TS-{date_part}-{body}-{check}"
