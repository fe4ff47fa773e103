"""Run every benchmark in bench/ (make bench). Each script compares aibeian with its named peers in the same
run and prints the figures that docs/benchmarks.md records; pass a name to run one (e.g. `matcher`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_"))
    if argv:
        scripts = [p for p in scripts if p.stem in argv]
    if not scripts:
        print("no benchmark matched", file=sys.stderr)
        return 2
    failed = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
