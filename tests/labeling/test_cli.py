"""``aibeian label …`` through click's runner on real files: the JSON contract, exit codes, batches that
keep going past bad files, and the public API list."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import aibeian.labeling
from aibeian.cli.main import cli
from aibeian.labeling import FIELD_NAMES

PRODUCER = ["--producer", "001191110108MA01ABCDEF12345", "--produce-id", "run7-{stem}"]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["label", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_apply_then_verify_json_contract(make_image: Callable[..., Path], tmp_path: Path) -> None:
    src = make_image("png", name="pic")
    code, out, _ = run("apply", src, *PRODUCER, "--out", tmp_path / "out", "--format", "json")
    assert code == 0, out
    written = json.loads(out)[0]["output"]
    code, out, _ = run("verify", written, "--format", "json")
    assert code == 0
    [report] = json.loads(out)
    assert set(report) == {"file", "format", "explicit", "implicit", "compliant", "problems"}
    assert set(report["explicit"]) == {"present", "details"} and report["explicit"]["present"] is True
    assert report["implicit"]["present"] is True
    assert list(report["implicit"]["fields"]) == list(FIELD_NAMES)
    assert report["implicit"]["fields"]["ProduceID"]["value"] == "run7-pic"
    assert report["compliant"] is True and report["problems"] == []
    assert report["format"] == "png"


def test_verify_exit_1_when_any_file_is_not_compliant(make_image: Callable[..., Path]) -> None:
    plain = make_image("jpg", name="plain")
    code, out, _ = run("verify", plain)
    assert code == 1
    assert "不合规" in out and "no AIGC metadata" in out


def test_batch_goes_on_past_bad_files(make_image: Callable[..., Path], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, ext in enumerate(["png", "jpg", "webp"]):
        make_image(ext, name=f"good{i}").rename(folder / f"good{i}.{ext}")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    (folder / "notes.md").write_text("# 笔记\n", encoding="utf-8")
    (folder / "ignored.xyz").write_text("not a format")
    out_dir = tmp_path / "out"
    code, out, _ = run("apply", folder, *PRODUCER, "--out", out_dir)
    assert code == 1, "one file failed"
    assert "broken.jpg" in out and "✗" in out
    assert out.count("✓") == 4
    assert "summary" in out
    assert sorted(p.name for p in out_dir.iterdir()) == ["good0.png", "good1.jpg", "good2.webp", "notes.md"]
    code, out, _ = run("verify", out_dir, "--format", "json")
    assert code == 0 and len(json.loads(out)) == 4
    code, out, _ = run("verify", folder)
    assert code == 1 and "verification summary" in out and "error:" in out


def test_unsupported_named_file_is_reported(tmp_path: Path) -> None:
    odd = tmp_path / "a.xyz"
    odd.write_text("x")
    code, out, _ = run("verify", odd, "--format", "json")
    assert code == 1
    assert "unsupported format" in json.loads(out)[0]["problems"][0]


def test_invalid_fields_are_refused_before_any_work(make_image: Callable[..., Path]) -> None:
    src = make_image("png")
    code, _, err = run("apply", src, "--producer", "bad value", "--produce-id", "x" * 300)
    assert code == 2
    assert "invalid character" in err and "characters long" in err
    assert not list(src.parent.glob("*.aigc.*"))


def test_out_and_in_place_exclude_each_other(make_image: Callable[..., Path], tmp_path: Path) -> None:
    code, _, err = run("apply", make_image("png"), *PRODUCER, "--out", tmp_path / "o", "--in-place")
    assert code == 2 and "--in-place" in err


def test_in_place_and_propagate(make_image: Callable[..., Path]) -> None:
    src = make_image("jpg")
    code, _, _ = run("apply", src, *PRODUCER, "--in-place", "--position", "top-left", "--label", "2")
    assert code == 0
    code, out, _ = run("propagate", src, "--propagator", "平台", "--propagate-id", "share-1", "--in-place")
    assert code == 0, out
    code, out, _ = run("verify", src, "--format", "json")
    fields = json.loads(out)[0]["implicit"]["fields"]
    assert fields["Label"]["value"] == "2" and fields["ContentPropagator"]["value"] == "平台"


def test_output_folder_that_is_a_file(make_image: Callable[..., Path], tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    code, _, err = run("apply", make_image("png"), *PRODUCER, "--out", blocker)
    assert code == 2 and "folder" in err


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write: chmod 555 for a normal user; for root (which ignores modes) a
    sysfs folder, which refuses new files to everyone."""
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        return ro
    candidate = Path("/sys/fs")
    try:
        tempfile.mkstemp(dir=candidate)
    except OSError:
        return candidate
    pytest.skip("no unwritable folder available for root")


def test_read_only_output_folder(make_image: Callable[..., Path], tmp_path: Path) -> None:
    ro = _unwritable_folder(tmp_path)
    before = sorted(p.name for p in ro.iterdir())
    try:
        code, out, _ = run("apply", make_image("png"), make_image("jpg"), *PRODUCER, "--out", ro)
        assert code == 1
        assert out.count("permission denied") == 2, out
        assert sorted(p.name for p in ro.iterdir()) == before
    finally:
        if ro.is_relative_to(tmp_path):
            ro.chmod(0o755)


def test_public_api_is_pinned() -> None:
    assert sorted(aibeian.labeling.__all__) == sorted(
        [
            "AUDIO_NOTICES",
            "DEFAULT_TEXT",
            "FIELD_NAMES",
            "MAX_LENGTH",
            "ApplyOptions",
            "ApplyResult",
            "ExplicitResult",
            "FieldResult",
            "ImplicitResult",
            "Inspection",
            "LabelMeta",
            "LabelReport",
            "LabelWriter",
            "apply",
            "find_cjk_font",
            "label_writers",
            "output_path",
            "parse_record",
            "propagate",
            "validate_value",
            "verify",
            "writer_for",
        ]
    )
    assert set(aibeian.labeling.label_writers.names()) == {
        "audio",
        "docx",
        "image",
        "markdown",
        "pdf",
        "raster",
        "text",
        "video",
    }


def test_parallel_jobs_give_the_same_results(make_image: Callable[..., Path], tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(4):
        make_image("jpg", size=(200, 150), name=f"m{i}").rename(folder / f"m{i}.jpg")
    (folder / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    code, out, _ = run("apply", folder, *PRODUCER, "--out", tmp_path / "o", "--jobs", "2", "--format", "json")
    items = json.loads(out)
    assert code == 1 and [i["file"].rsplit("/", 1)[1] for i in items] == [
        "bad.png",
        *[f"m{i}.jpg" for i in range(4)],
    ]
    assert [i["ok"] for i in items] == [False, True, True, True, True]
    code, out, _ = run("verify", tmp_path / "o", "--jobs", "2", "--format", "json")
    reports = json.loads(out)
    assert code == 0 and [r["implicit"]["fields"]["ProduceID"]["value"] for r in reports] == [
        f"run7-m{i}" for i in range(4)
    ]


def test_run_dir_records_resumes_and_reports(make_image: Callable[..., Path], tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    for i in range(3):
        make_image("png", size=(160, 120), name=f"r{i}").rename(folder / f"r{i}.png")
    run_dir, out_dir = tmp_path / "run", tmp_path / "out"
    args = (
        "apply",
        folder,
        "--producer",
        "p",
        "--produce-id",
        "job-{index}",
        "--out",
        out_dir,
        "--run-dir",
        run_dir,
    )
    code, first, _ = run(*args, "--format", "json")
    assert code == 0
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert meta["status"] == "complete" and meta["kind"] == "label-apply" and meta["counts"]["ok"] == 3
    # simulate a crash after the first file: one complete line, one half-written line
    lines = (run_dir / "items.jsonl").read_text(encoding="utf-8").splitlines()
    (run_dir / "items.jsonl").write_text(lines[0] + "\n" + lines[1][:20], encoding="utf-8")
    (out_dir / "r1.png").unlink()
    (out_dir / "r2.png").unlink()
    code, resumed, _ = run(*args, "--format", "json")
    assert code == 0 and json.loads(resumed) == json.loads(first)
    ids = [verify_id(out_dir / f"r{i}.png") for i in range(3)]
    assert ids == ["job-1", "job-2", "job-3"], "resumed files keep the ProduceID of their position"
    code, again, _ = run("report", run_dir, "--format", "json")
    assert code == 0 and json.loads(again) == json.loads(first)
    code, _, err = run("apply", folder, *PRODUCER, "--out", out_dir, "--run-dir", run_dir)
    assert code == 2 and "different command or arguments" in err


def verify_id(path: Path) -> str:
    from aibeian.labeling import verify

    meta = verify(path, check_explicit=False).implicit.meta
    assert meta is not None
    return meta.ProduceID


def test_verify_run_dir_report_exit_code(make_image: Callable[..., Path], tmp_path: Path) -> None:
    plain = make_image("jpg", name="plain")
    code, out, _ = run("verify", plain, "--run-dir", tmp_path / "vrun", "--format", "json")
    assert code == 1
    code, again, _ = run("report", tmp_path / "vrun", "--format", "json")
    assert code == 1 and json.loads(again) == json.loads(out)


def test_audio_notice_option_and_new_formats_in_one_batch(
    make_audio: Callable[..., Path], make_image: Callable[..., Path], tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    make_audio("ogg", seconds=0.5, name="voice").rename(folder / "voice.ogg")
    make_image("gif", name="anim").rename(folder / "anim.gif")
    make_image("tiff", name="scan").rename(folder / "scan.tiff")
    out_dir = tmp_path / "out"
    code, out, _ = run(
        "apply", folder, *PRODUCER, "--audio-notice", "both", "--out", out_dir, "--format", "json"
    )
    assert code == 0, out
    assert {Path(i["output"]).name for i in json.loads(out)} == {"voice.ogg", "anim.gif", "scan.tiff"}
    code, out, _ = run("verify", out_dir, "--format", "json")
    assert code == 0, out
    reports = {Path(r["file"]).name: r for r in json.loads(out)}
    assert reports["voice.ogg"]["explicit"]["details"]["form"] == "rhythm+speech"
    assert reports["anim.gif"]["implicit"]["location"] == "GIF Application Extension XMP"
    code, _, err = run("apply", folder / "voice.ogg", *PRODUCER, "--audio-notice", "jingle")
    assert code == 2 and "jingle" in err
