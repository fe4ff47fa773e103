"""Refresh the output of every ```console block that starts with `$ aibeian …` in docs/*.md.

Run from the repository root (make docs). Tests run the same commands and compare the output verbatim, so
the docs never drift from what the tool prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_examples import REPO, refresh


def main() -> int:
    for path in sorted((REPO / "docs").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = refresh(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"refreshed {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
