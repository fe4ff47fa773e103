"""A scan worker starts from the driver's compiled matcher and the run's cached normalisation table: it never
rebuilds the table (≈0.1 s of Python a process) nor imports the library loader."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from aibeian.corpus import prepare_settings
from aibeian.corpus._shard import shippable_matcher

WORKER = """
import pickle, sys
from aibeian.keywords import _normalise

def rebuilt():
    raise SystemExit("the normalisation table was rebuilt")

_normalise.build_table = rebuilt
from aibeian.corpus._shard import install_matcher, matcher_for

settings, blob = pickle.load(open(sys.argv[1], "rb"))
install_matcher(settings.library_hash, blob, settings.cache_dir)
found = matcher_for(settings).find("这里有网络赌博")
print([m.keyword for m in found])
print("aibeian.keywords._library" in sys.modules)
"""


def test_a_worker_seeds_its_table_from_the_run_cache(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=5, forum=5, parquet=5, books=1)
    settings = prepare_settings(sources=paths["sources"], keywords=paths["keywords"], out=tmp_path / "run")
    blob = shippable_matcher(settings)
    assert blob is not None
    task = tmp_path / "task.pickle"
    task.write_bytes(pickle.dumps((settings, blob)))
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(task)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["['网络赌博']", "False"]
