"""The labels screen and the upload rules: a file labelled by ``labeling.apply`` verifies as compliant, an
unlabelled one lists its problems, in zh and en; a wrong type, a lying extension, an empty file or one over
the size limit is refused with a message next to the field (or a clear 413 page past the limit)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from aibeian.labeling import LabelMeta, apply
from aibeian.settings import Settings
from aibeian.storage import Store
from aibeian.web import create_app
from web.conftest import login, make_settings

META = LabelMeta(ContentProducer="001191110108MA01ABCDEF12345", ProduceID="job-0001")


def _csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/labels").text)
    assert match
    return match.group(1)


def _png(path: Path) -> Path:
    Image.new("RGB", (320, 240), (200, 220, 240)).save(path)
    return path


def _post(client: TestClient, name: str, data: bytes, mime: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    return client.post("/labels", data={"csrf_token": _csrf(client)}, files={"file": (name, data, mime)})


def test_a_labelled_image_verifies(as_role, tmp_path: Path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")  # reading a report changes nothing: every role may
    labelled = apply(_png(tmp_path / "pic.png"), META).output
    r = _post(client, "海报.png", Path(labelled).read_bytes(), "image/png")
    assert r.status_code == 200, r.text
    assert 'id="compliant"' in r.text and "海报.png" in r.text
    assert "001191110108MA01ABCDEF12345" in r.text and "生成合成服务提供者" in r.text
    uploads = settings.home / "uploads" / "labels"
    assert not any(uploads.rglob("*.png"))  # the upload is not kept


def test_an_unlabelled_text_lists_its_problems_in_both_languages(as_role) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    r = _post(client, "answer.txt", "这是一段普通文本。".encode(), "text/plain")
    assert r.status_code == 200 and 'id="not-compliant"' in r.text and 'id="label-problems"' in r.text
    client.get("/lang/en?next=/labels")
    r = _post(client, "answer.txt", "这是一段普通文本。".encode(), "text/plain")
    assert "not compliant" in r.text and "Content producer" in r.text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "not accepted here"),
        ("fake.png", b"this is text, not a picture", "not a .png file"),
        ("empty.txt", b"", "empty"),
        ("latin1.txt", "caf\xe9 au lait, s'il vous pla\xeet".encode("latin-1") + b" " * 40, "UTF-8"),
    ],
)
def test_wrong_files_are_refused_next_to_the_field(as_role, name: str, data: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    r = _post(as_role("viewer"), name, data)
    assert r.status_code == 422
    assert 'id="file-error"' in r.text and message in r.text


def test_no_file_chosen(as_role) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    r = client.post("/labels", data={"csrf_token": _csrf(client)})
    assert r.status_code == 422 and 'id="file-error"' in r.text


@pytest.fixture
def small_limit(tmp_path: Path, sqlite_url: str, store: Store) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, sqlite_url, upload_max_mb=1)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        login(client, "viewer")
        yield client


def test_a_file_over_the_limit_is_refused(small_limit: TestClient) -> None:
    just_over = b"a" * ((1 << 20) + 10)  # past the file limit, inside the request allowance: the form says so
    r = _post(small_limit, "big.txt", just_over, "text/plain")
    assert r.status_code == 422 and 'id="file-error"' in r.text and "1 MiB" in r.text
    far_over = b"a" * (3 << 20)  # refused before the body is parsed
    r = _post(small_limit, "huge.txt", far_over, "text/plain")
    assert r.status_code == 413 and "1 MiB" in r.text and "AIBEIAN_UPLOAD_MAX_MB" in r.text
    api = small_limit.post(
        "/api/labels/verify",
        files={"file": ("huge.txt", far_over, "text/plain")},
        headers={"X-CSRF-Token": _csrf(small_limit)},
    )
    assert api.status_code == 413 and api.json()["error"] == "too_large"
    assert small_limit.get("/labels").status_code == 200  # and the app goes on serving


def test_api_verify_returns_the_cli_json(as_role, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    labelled = apply(_png(tmp_path / "p.png"), META).output
    r = client.post(
        "/api/labels/verify",
        files={"file": ("p2.png", Path(labelled).read_bytes(), "image/png")},
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["compliant"] is True and body["file"] == "p2.png"
    assert body["implicit"]["fields"]["ContentProducer"]["value"] == META.ContentProducer
    bad = client.post(
        "/api/labels/verify",
        files={"file": ("x.exe", b"MZ", "application/octet-stream")},
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "file"


def test_anonymous_cannot_upload(client: TestClient) -> None:
    assert client.get("/labels").status_code == 303
