"""Display checks against pages served by a local HTTP server (loopback only) and saved files."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli
from aibeian.obligations import check_page

ALGO = "网信算备110108916280901240011号"
GENAI = "Beijing-XiaomiMiMo-202601050182"

GOOD = f"""<!doctype html><html><head><title>{ALGO}</title><script>var n = "{GENAI}";</script></head>
<body><main><p>内容由人工智能生成，仅供参考</p></main>
<footer>
  <a href="https://beian.example/algo">小米大语言模型算法 : 备案号 {ALGO}</a>
  <span>Xiaomi MiMo : 备案号 {GENAI}</span>
  <a href="/report">投诉举报</a>
</footer></body></html>"""

SPLIT = f"""<html><body><footer><span>网信算备1101089162</span><span>80901240011号</span>
<img src="n.png" alt="{GENAI}"><div style="display:none">{GENAI}</div>
<p>AI 合成内容</p></footer></body></html>"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "good.html").write_text(GOOD, encoding="utf-8")
    (tmp_path / "split.html").write_text(SPLIT, encoding="utf-8")
    (tmp_path / "data.bin").write_bytes(b"\x00\x01")
    handler = lambda *a, **k: _Quiet(*a, directory=str(tmp_path), **k)  # noqa: E731
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_good_page_over_http(site: str) -> None:
    result = CliRunner().invoke(
        cli, ["display-check", f"{site}/good.html", "--expect", ALGO, "--expect", GENAI, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    algo = report["expected"][0]
    assert algo["found"] and algo["evidence"][0]["element"] == "a"
    assert algo["evidence"][0]["link"] == "https://beian.example/algo" and algo["evidence"][0]["line"] == 4
    assert report["aigc_notice"]["present"] and "人工智能生成" in report["aigc_notice"]["evidence"][0]["text"]
    assert report["complaint_entry"]["evidence"][0]["link"] == "/report"
    assert report["ok"] is True


def test_split_image_and_hidden_numbers_are_not_found(site: str) -> None:
    result = CliRunner().invoke(
        cli, ["display-check", f"{site}/split.html", "--expect", ALGO, "--expect", GENAI]
    )
    assert result.exit_code == 1
    assert "split across elements" in result.output and "only in an image" in result.output
    assert "missing  complaint/report entry" in result.output
    assert "present  AIGC notice" in result.output


def test_script_and_title_do_not_count() -> None:
    report = check_page(
        GOOD.replace(f"<span>Xiaomi MiMo : 备案号 {GENAI}</span>", ""), source="x", expect=[GENAI]
    )
    assert report["expected"][0]["found"] is False and report["expected"][0]["hint"] == "not on the page"


def test_without_expect_lists_numbers_seen(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["display-check", str(page)])
    assert result.exit_code == 0, result.output
    assert f"seen  {ALGO}" in result.output and f"seen  {GENAI}" in result.output


def test_bad_targets(site: str, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["display-check", f"{site}/nope.html"])
    assert missing.exit_code == 2 and "HTTP 404" in missing.output
    binary = runner.invoke(cli, ["display-check", f"{site}/data.bin"])
    assert binary.exit_code == 2 and "not an HTML page" in binary.output
    refused = runner.invoke(cli, ["display-check", "http://127.0.0.1:9/x"])
    assert refused.exit_code == 2 and "cannot fetch" in refused.output
    nofile = runner.invoke(cli, ["display-check", str(tmp_path / "none.html")])
    assert nofile.exit_code == 2 and "file not found" in nofile.output
