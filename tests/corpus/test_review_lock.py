"""An import of verdicts and a verdict recorded on the review screen share one lock on reviews.jsonl."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from aibeian.corpus import RunDir, import_reviews
from aibeian.corpus._review import reviews_lock


def test_import_waits_for_the_review_lock(tmp_path: Path) -> None:
    run = RunDir(tmp_path)
    (tmp_path / "manual_sample.jsonl").write_text('{"id": "a"}\n{"id": "b"}\n', encoding="utf-8")
    verdicts = tmp_path / "v.csv"
    verdicts.write_text("id,qualified,reason\na,yes,\n", encoding="utf-8")
    done: list[float] = []

    def importer() -> None:
        import_reviews(run, str(verdicts))
        done.append(time.monotonic())

    with reviews_lock(run):
        thread = threading.Thread(target=importer)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and not done  # blocked while another writer holds the lock
        released = time.monotonic()
    thread.join(10)
    assert done and done[0] >= released
    assert '"id": "a"' in (tmp_path / "reviews.jsonl").read_text(encoding="utf-8")
