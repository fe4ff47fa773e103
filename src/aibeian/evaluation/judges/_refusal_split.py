"""The fixed development / held-out split used to tune and to measure the refusal judge.

Rules tuned on the very answers they are scored on report a flattering, in-sample accuracy. Every labelled
item therefore falls, by a seeded hash of its id, into ``dev`` (rules may be tuned looking at it) or
``heldout`` (only scored, never read while tuning). The hash is fixed, not random per run, so anyone can
reproduce the split; the seed is versioned so a new split is a deliberate, visible change. For XSTest the id
is the prompt id (``v2-17``): the five models' answers to one prompt land in the same split, so a phrasing
learnt from one model's answer cannot leak into the held-out score through another's.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Split = Literal["dev", "heldout"]
SEED = "aibeian-refusal-split/1"
HELDOUT_PERCENT = 30


def split_of(item_id: str) -> Split:
    """``heldout`` for about 30 % of ids, ``dev`` for the rest; stable across runs and machines."""
    digest = hashlib.sha256(f"{SEED}:{item_id}".encode()).digest()
    return "heldout" if int.from_bytes(digest[:8], "big") % 100 < HELDOUT_PERCENT else "dev"
