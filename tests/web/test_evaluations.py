"""The evaluations screen over a 10,000-item run: listed, metrics shown, items paged and filtered (never
rendered whole), report download, and names that try to leave the runs folder refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aibeian.settings import Settings
from aibeian.web._sample_run import write_sample_run
from web.conftest import login


@pytest.fixture(scope="module")
def big_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("runs") / "big-run"
    write_sample_run(path, items=10_000)
    return path


@pytest.fixture
def runs(settings: Settings, big_run: Path) -> Path:
    root = settings.evaluation_runs_dir()
    root.mkdir(parents=True)
    (root / "big-run").symlink_to(big_run, target_is_directory=True)
    (root / "broken").mkdir()
    (root / "broken" / "run.json").write_text("{not json", encoding="utf-8")
    return root


def test_runs_are_listed_with_unreadable_ones_named(client: TestClient, runs: Path) -> None:
    login(client, "viewer")
    page = client.get("/evaluations").text
    assert 'href="/evaluations/big-run"' in page and "demo-sample" in page
    assert "malformed run.json" in page
    assert [r["name"] for r in client.get("/api/runs").json()] == ["big-run"]


def test_run_page_is_paged_never_whole(client: TestClient, runs: Path) -> None:
    login(client, "viewer")
    page = client.get("/evaluations/big-run").text
    assert 'id="metrics"' in page and "生成内容合格率" in page
    assert page.count('<tr class="item">') == 50
    assert 'id="total">10000<' in page
    last = client.get("/evaluations/big-run?page=200").text
    assert "sample-09999" in last and "sample-00000" not in last
    beyond = client.get("/evaluations/big-run?page=9999").text  # clamped to the last page
    assert "第200/200页" in beyond


def test_filters_and_htmx_fragment(client: TestClient, runs: Path, big_run: Path) -> None:
    login(client, "viewer")
    records = [
        json.loads(line) for line in (big_run / "items.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    failing = [r["id"] for r in records if r["outcome"] == "fail" and r["kind"] == "generation"]
    r = client.get(
        "/evaluations/big-run?outcome=fail&kind=generation&size=100", headers={"HX-Request": "true"}
    )
    assert "<html" not in r.text  # a fragment for htmx to swap in
    assert re.search(r'id="total">(\d+)<', r.text).group(1) == str(len(failing))  # type: ignore[union-attr]
    shown = re.findall(r'<tr class="item"><td>([^<]+)</td>', r.text)
    assert shown == failing[:100]
    api = client.get("/api/runs/big-run/items", params={"q": "sample-0999", "size": 25}).json()
    assert api["total"] == 10 and [i["id"] for i in api["items"]][:2] == ["sample-09990", "sample-09991"]


def test_report_download(client: TestClient, runs: Path) -> None:
    login(client, "viewer")
    r = client.get("/evaluations/big-run/report.md")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "demo-sample" in r.text
    assert client.get("/evaluations/big-run/report.exe").status_code == 404


@pytest.mark.parametrize("name", ["%2E%2E", ".hidden", "..%2Fsecret", "nope"])
def test_run_names_cannot_escape_the_folder(client: TestClient, runs: Path, name: str) -> None:
    login(client, "viewer")
    assert client.get(f"/evaluations/{name}").status_code == 404


def test_latest_record_per_item_wins(client: TestClient, settings: Settings) -> None:
    root = settings.evaluation_runs_dir()
    run = write_sample_run(root / "small", items=6)
    with run.items_file.open(
        "a", encoding="utf-8"
    ) as f:  # a retried item is superseded, as in latest_records
        f.write(
            json.dumps(
                {
                    "id": "sample-00001",
                    "kind": "generation",
                    "risk": "A.1.1",
                    "outcome": "fail",
                    "prompt": "retried",
                }
            )
            + "\n"
        )
    login(client, "viewer")
    api = client.get("/api/runs/small/items").json()
    assert api["total"] == 6
    assert [i["prompt"] for i in api["items"] if i["id"] == "sample-00001"] == ["retried"]
