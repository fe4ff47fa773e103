"""The corpus screen's "start a corpus scan" form: bad input is named next to its field with what was typed
kept, uploads follow the shared rules, a valid form queues the same ``corpus_scan`` job the API does, a real
``Worker`` runs it, and the run then shows on the corpus screen where a reviewer draws the manual sample and
starts reviewing. Viewers cannot start anything; every form needs its CSRF token."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aibeian.corpus import RunDir
from aibeian.jobs import Worker, WorkerOptions
from aibeian.settings import Settings
from aibeian.standards import load_standards
from aibeian.storage import Store, count_jobs, get_job, list_audit
from aibeian.web import create_app
from corpus.conftest import SOURCES_YAML, texts, write_jsonl, write_library
from web.conftest import csrf_of, login, make_settings

RUN = "form-scan"


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """A three-source corpus folder on the "server", its sources.yaml and a keyword library."""
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "news" / "a.jsonl", [{"text": t} for t in texts(120, 7, 1)])
    write_jsonl(corpus / "forum" / "b.jsonl", [{"text": t} for t in texts(80, 3, 2)])
    (corpus / "books").mkdir()
    (corpus / "books" / "c.txt").write_text("\n".join(texts(5, 0, 3)), encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES_YAML, encoding="utf-8")
    return {"corpus": corpus, "sources": sources, "keywords": write_library(tmp_path / "keywords.csv")}


def _jobs(store: Store) -> int:
    with store.session() as s:
        return count_jobs(s)


def _run_job(store: Store, location: str) -> int:
    job_id = int(location.rsplit("/", 1)[1])
    assert Worker(store, WorkerOptions(poll_seconds=0.05)).run_once() == job_id
    return job_id


def _uploads_left(settings: Settings) -> list[Path]:
    folder = settings.home / "uploads" / "corpus"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []


def test_reviewer_sees_the_form_with_the_spec_defaults(as_role, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    page = as_role("reviewer").get("/corpus").text
    assert 'id="start-scan"' in page and 'enctype="multipart/form-data"' in page
    assert "启动语料扫描" in page  # zh-CN by default
    minimum = load_standards().threshold("corpus_technical_sample_min_fraction").value
    assert f'name="sample_rate" value="{minimum:g}"' in page
    assert str(settings.keyword_paths()[0]) in page  # the workbench's library is the default
    assert 'value="local"' in page
    assert ('<option value="ray"' in page) == (importlib.util.find_spec("ray") is not None)
    assert f"{settings.upload_max_mb} MiB" in page


def test_bad_input_is_shown_next_to_each_field(as_role, store: Store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    unsupported = tmp_path / "table.csv"
    unsupported.write_text("text\nhello\n", encoding="utf-8")
    empty_dir = tmp_path / "nothing-here"
    empty_dir.mkdir()
    bad_sources = tmp_path / "sources.yaml"
    bad_sources.write_text("sources: []\n", encoding="utf-8")
    typed = {
        "name": "../escape",
        "corpus": f"{tmp_path / 'missing.jsonl'}\n{unsupported}\n{empty_dir}",
        "sources": str(bad_sources),
        "keywords": str(tmp_path / "no-library.csv"),
        "sample_rate": "0.05",
        "seed": "abc",
        "engine": "spark",
    }
    r = client.post("/corpus/scan", data={**typed, "csrf_token": csrf_of(client, "/corpus")})
    assert r.status_code == 422
    for name in ("name", "corpus", "sources", "keywords", "sample_rate", "seed", "engine"):
        assert f'id="{name}-error"' in r.text, name
    corpus_error = re.search(r'id="corpus-error"[^>]*>([^<]*)<', r.text)
    assert corpus_error
    assert "missing.jsonl: not found" in corpus_error.group(1)
    assert "table.csv: not a supported corpus format" in corpus_error.group(1)
    assert "nothing-here: the folder holds no file of a supported format" in corpus_error.group(1)
    assert "no sources declared" in r.text  # sources.yaml is parsed, its own message shown
    assert "0.1 (the standard&#39;s minimum)" in r.text
    # what was typed is shown again, not lost
    assert 'value="../escape"' in r.text and 'value="0.05"' in r.text and 'value="abc"' in r.text
    assert f"{unsupported}" in r.text and str(tmp_path / "no-library.csv") in r.text
    assert _jobs(store) == 0

    r = client.post(
        "/corpus/scan", data={"name": "ok-name", "sources": "", "csrf_token": csrf_of(client, "/corpus")}
    )
    assert r.status_code == 422
    assert "give at least one corpus file or folder" in r.text
    assert "give the sources.yaml path or upload it" in r.text
    assert _jobs(store) == 0


def test_uploads_are_refused_by_the_shared_rules(
    tmp_path: Path, sqlite_url: str, store: Store, inputs: dict[str, Path]
) -> None:
    settings = make_settings(tmp_path, sqlite_url, upload_max_mb=1, lang="en")
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        login(client, "reviewer")
        page = client.get("/corpus").text
        assert "Start a corpus scan (background job)" in page and "at most 1 MiB" in page
        base = {"name": "up", "sources": str(inputs["sources"]), "keywords": str(inputs["keywords"])}

        def post(files: dict[str, tuple[str, bytes]]) -> str:
            r = client.post(
                "/corpus/scan", data={**base, "csrf_token": csrf_of(client, "/corpus")}, files=files
            )
            assert r.status_code == 422, r.text
            return r.text

        page = post({"corpus_file": ("table.csv", b"text\nhello\n")})
        assert 'id="corpus_file-error"' in page and "files of type .csv are not accepted here" in page
        page = post({"corpus_file": ("news.jsonl.gz", b"this is not gzip data")})
        assert 'id="corpus_file-error"' in page and "the content is not a .gz file" in page
        page = post({"corpus_file": ("news.jsonl", b"\xff\xfe" + b"x" * 100)})
        assert "not UTF-8 text" in page
        big = (b'{"text": "' + b"a" * 1000 + b'"}\n') * 1600  # ~1.6 MiB, over the 1 MiB limit
        page = post({"corpus_file": ("news.jsonl", big)})
        assert "larger than the limit of 1 MiB" in page
        page = post(
            {
                "corpus_file": ("news.jsonl", b'{"text": "hello"}\n'),
                "sources_file": ("sources.txt", b"sources: []\n"),
            }
        )
        assert 'id="sources_file-error"' in page
        assert _jobs(store) == 0
        assert _uploads_left(settings) == []  # a refused form keeps none of its uploads


def test_valid_form_queues_a_job_the_worker_runs_then_review(  # type: ignore[no-untyped-def]
    as_role, store: Store, settings: Settings, inputs: dict[str, Path]
) -> None:
    client = as_role("reviewer")
    form = {
        "name": RUN,
        "corpus": str(inputs["corpus"]),
        "sources": str(inputs["sources"]),
        "keywords": str(inputs["keywords"]),
        "sample_rate": "0.5",
        "seed": "7",
        "engine": "local",
        "csrf_token": csrf_of(client, "/corpus"),
    }
    r = client.post("/corpus/scan", data=form)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/jobs/")
    page = client.get(r.headers["location"]).text
    assert 'id="job-progress"' in page and "hx-get=" in page  # the live progress block, polling
    job_id = _run_job(store, r.headers["location"])
    with store.session() as s:
        job = get_job(s, job_id=job_id)
    assert job.status == "succeeded", job.error
    assert job.kind == "corpus_scan" and job.total and job.done == job.total
    assert job.params["sample_rate"] == 0.5 and job.params["seed"] == 7 and job.params["engine"] == "local"
    assert job.params["out"] == str(settings.corpus_runs() / RUN)
    assert RunDir(settings.corpus_runs() / RUN).meta()["status"] == "complete"
    assert f'id="corpus-run-link" href="/corpus/{RUN}"' in client.get(r.headers["location"]).text

    listing = client.get("/corpus").text
    assert f'href="/corpus/{RUN}"' in listing and f'/corpus/{RUN}#draw-sample"' in listing
    overview = client.get(f"/corpus/{RUN}").text
    assert 'id="draw-sample"' in overview and 'id="start-first"' not in overview

    token = csrf_of(client, f"/corpus/{RUN}")
    r = client.post(f"/corpus/{RUN}/sample", data={"n": "many", "csrf_token": token})
    assert r.status_code == 422 and 'id="n-error"' in r.text and 'value="many"' in r.text
    r = client.post(f"/corpus/{RUN}/sample", data={"n": "60", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/corpus/{RUN}"
    overview = client.get(f"/corpus/{RUN}").text
    assert 'id="start-first"' in overview and 'id="draw-sample"' not in overview
    review = client.get(f"/corpus/{RUN}/review?mode=first").text
    assert 'name="item_id"' in review
    listing = client.get("/corpus").text
    assert re.search(r"已抽取\s*60|drawn\s*60", listing)  # the run's row counts the drawn sample
    r = client.post(f"/corpus/{RUN}/sample", data={"n": "60", "csrf_token": token})
    assert r.status_code == 422 and "already has its manual sample" in r.text
    with store.session() as s:
        actions = [a.action for a in list_audit(s)]
    assert "job.enqueue" in actions and "corpus.sample" in actions


def test_uploaded_corpus_and_sources_with_the_default_library_and_rate(  # type: ignore[no-untyped-def]
    as_role, store: Store, settings: Settings
) -> None:
    library = settings.keyword_paths()[0]
    library.parent.mkdir(parents=True, exist_ok=True)
    write_library(library)
    client = as_role("admin")
    lines = "".join(f'{{"text": "{t}"}}\n' for t in texts(90, 5, 4)).encode()
    sources = b"text_field: text\nsources:\n  - id: news\n    name: news\n    paths: [news.jsonl]\n    licence: own\n"
    r = client.post(
        "/corpus/scan",
        data={"name": "uploaded", "sample_rate": "", "csrf_token": csrf_of(client, "/corpus")},
        files={"corpus_file": ("news.jsonl", lines), "sources_file": ("sources.yaml", sources)},
    )
    assert r.status_code == 303, r.text
    job_id = _run_job(store, r.headers["location"])
    with store.session() as s:
        job = get_job(s, job_id=job_id)
    assert job.status == "succeeded", job.error
    minimum = load_standards().threshold("corpus_technical_sample_min_fraction").value
    assert job.params["sample_rate"] == minimum
    assert job.params["keywords"] == str(settings.keyword_paths()[0].resolve())
    kept = _uploads_left(settings)
    assert sorted(p.name for p in kept) == ["news.jsonl", "sources.yaml"]  # kept: the run re-reads them
    assert 'href="/corpus/uploaded"' in client.get("/corpus").text


def test_viewer_cannot_start_a_scan_or_draw(  # type: ignore[no-untyped-def]
    as_role, store: Store, settings: Settings, inputs: dict[str, Path]
) -> None:
    client = as_role("viewer")
    page = client.get("/corpus").text
    assert 'id="start-scan"' not in page
    form = {
        "name": "viewer-scan",
        "corpus": str(inputs["corpus"]),
        "sources": str(inputs["sources"]),
        "keywords": str(inputs["keywords"]),
        "csrf_token": csrf_of(client, "/corpus"),
    }
    assert client.post("/corpus/scan", data=form).status_code == 403
    (settings.corpus_runs() / "some-run").mkdir(parents=True)
    r = client.post("/corpus/some-run/sample", data={"n": "10", "csrf_token": form["csrf_token"]})
    assert r.status_code == 403
    assert _jobs(store) == 0


def test_csrf_token_is_required(as_role, store: Store, inputs: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    form = {
        "name": "no-token",
        "corpus": str(inputs["corpus"]),
        "sources": str(inputs["sources"]),
        "keywords": str(inputs["keywords"]),
    }
    assert client.post("/corpus/scan", data=form).status_code == 403
    assert client.post("/corpus/scan", data={**form, "csrf_token": "forged"}).status_code == 403
    assert _jobs(store) == 0
    r = client.post("/corpus/scan", data={**form, "csrf_token": csrf_of(client, "/corpus")})
    assert r.status_code == 303
    assert _jobs(store) == 1


def test_the_api_shares_the_checks(as_role, store: Store, tmp_path: Path, inputs: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    """``POST /api/jobs`` refuses what the form refuses (one validation), on the same fields."""
    client = as_role("reviewer")
    unsupported = tmp_path / "table.csv"
    unsupported.write_text("text\nhello\n", encoding="utf-8")
    body = {
        "kind": "corpus_scan",
        "name": "api-scan",
        "corpus": [str(unsupported)],
        "sources": str(inputs["sources"]),
        "keywords": str(inputs["keywords"]),
        "sample_rate": 0.05,
    }
    r = client.post("/api/jobs", json=body, headers={"X-CSRF-Token": csrf_of(client, "/corpus")})
    assert r.status_code == 422
    fields = {p["field"] for p in r.json()["problems"]}
    assert fields == {"corpus", "sample_rate"}
    assert _jobs(store) == 0
