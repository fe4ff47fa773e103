"""The rules of intake without a database: policy file, tracking numbers, text, uploads (type from the bytes,
safe names, zip bombs), CSV/XLSX export read back by openpyxl, monthly statistics."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from aibeian.complaints import (
    ComplaintPolicy,
    ComplaintRecord,
    Pause,
    SubmissionLimiter,
    check_attachment,
    check_idempotency_key,
    draft_complaint,
    export_complaints,
    load_policy,
    monthly_stats,
    new_tracking_number,
    normalise_tracking_number,
    safe_filename,
)
from aibeian.errors import InputError

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def test_packaged_policy_has_categories_from_data(policy: ComplaintPolicy) -> None:
    ids = [c.id for c in policy.categories]
    assert "illegal_content" in ids and "unlabelled_ai_content" in ids
    assert policy.category("illegal_content").working_days == 5
    assert policy.category("service_quality").working_days == policy.reply_working_days == 15


def test_a_provider_policy_file_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "policy.yaml"
    good.write_text(
        "reply_working_days: 10\ncategories:\n- {id: spam, zh: 垃圾信息, en: Spam}\n"
        "rate_limit: {max_submissions: 2, window_seconds: 60}\n",
        encoding="utf-8",
    )
    p = load_policy(good)
    assert [c.id for c in p.categories] == ["spam"] and p.categories[0].working_days == 10
    assert p.max_submissions == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "reply_working_days: -3\ncategories:\n- {id: spam, zh: 垃圾信息}\n- {id: a, zh: 甲, en: A, working_days: x}\n"
        "attachments: {types: [exe]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_policy(bad)
    text = str(err.value)
    assert "reply_working_days" in text and "line 1" in text
    assert "categories[0]" in text and "line 3" in text
    assert "categories.1.working_days" in text and "attachments.types" in text


def test_tracking_numbers_survive_hand_copying() -> None:
    n = new_tracking_number(dt.date(2026, 11, 23))
    assert n.startswith("TS-20261123-") and len(n) == 22
    assert normalise_tracking_number(n.lower().replace("-", " ")) == n
    body = n[12:20]
    wrong = n[:12] + ("1" if body[0] != "1" else "2") + n[13:]
    with pytest.raises(InputError, match="check character"):
        normalise_tracking_number(wrong)
    with pytest.raises(InputError, match="not a tracking number"):
        normalise_tracking_number("<script>")
    assert len({new_tracking_number(dt.date(2026, 1, 1)) for _ in range(2000)}) == 2000


def test_text_is_kept_as_written_and_checked(policy: ComplaintPolicy) -> None:
    draft = draft_complaint(
        category="harmful_content",
        description="  <script>alert(1)</script>\r\n第二行\x00\x07  ",
        contact="",
        files=[],
        policy=policy,
    )
    assert draft.description == "<script>alert(1)</script>\n第二行"  # stored as written; escaped where shown
    with pytest.raises(InputError) as err:
        draft_complaint(category="nope", description="短", contact="x" * 500, files=[], policy=policy)
    fields = {p.field for p in err.value.problems}
    assert fields == {"category", "description", "contact"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("<script>alert(1)</script>.png", "script_.png"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\x\\截图 1.png", "截图 1.png"),
        ("\u202eevil\u202dgnp.exe", "evilgnp.exe"),
        ("...", "attachment"),
        ('a"onmouseover=alert(1)".pdf', "a_onmouseover_alert(1)_.pdf"),
    ],
)
def test_file_names_are_sanitised(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_attachment_type_is_read_from_the_bytes(policy: ComplaintPolicy) -> None:
    ok = check_attachment("shot.PNG", "image/png", PNG, policy)
    assert ok.content_type == "image/png" and ok.filename == "shot.PNG"
    assert (
        check_attachment("x.pdf", "application/octet-stream", PDF, policy).content_type == "application/pdf"
    )
    assert (
        check_attachment("说明.txt", "text/plain", "文字说明".encode(), policy).content_type == "text/plain"
    )
    assert check_attachment("a.docx", "", _docx(), policy).filename == "a.docx"
    with pytest.raises(InputError, match="declared as image/png but the content is application/pdf"):
        check_attachment("x.png", "image/png", PDF, policy)
    with pytest.raises(InputError, match=r"must be named \.png"):
        check_attachment("x.pdf", "", PNG, policy)
    with pytest.raises(InputError, match="not accepted"):
        check_attachment("x.exe", "application/x-msdownload", b"MZ\x90\x00" + b"\x00" * 100, policy)
    with pytest.raises(InputError, match="not a Word document"):
        check_attachment("x.docx", "", _plain_zip(), policy)
    with pytest.raises(InputError, match="larger than the limit"):
        check_attachment("big.png", "image/png", PNG + b"\x00" * policy.max_bytes, policy)
    with pytest.raises(InputError, match="empty"):
        check_attachment("e.txt", "text/plain", b"", policy)


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


def test_zip_bomb_is_refused_without_unpacking(policy: ComplaintPolicy) -> None:
    bomb = _docx({"word/media/bomb.bin": b"\x00" * (60 * 1024 * 1024)})
    assert len(bomb) < policy.max_bytes  # small on the wire …
    with pytest.raises(InputError, match="zip bomb"):
        check_attachment("report.docx", "", bomb, policy)
    ratio_bomb = _docx({"word/media/zeros.bin": b"\x00" * (5 * 1024 * 1024)})
    with pytest.raises(InputError, match="zip bomb"):  # under the size cap, over the ratio
        check_attachment("report.docx", "", ratio_bomb, policy)


def test_too_many_files_are_all_reported(policy: ComplaintPolicy) -> None:
    with pytest.raises(InputError, match="at most 5"):
        draft_complaint(
            category="harmful_content",
            description="附件太多的投诉内容。",
            contact="",
            files=[("a.png", "image/png", PNG)] * 6,
            policy=policy,
        )
    with pytest.raises(InputError) as err:
        draft_complaint(
            category="harmful_content",
            description="两个附件都有问题的投诉。",
            contact="",
            files=[("a.png", "image/png", PDF), ("b.html", "text/html", b"<script>x</script>")],
            policy=policy,
        )
    assert [p.field for p in err.value.problems] == ["attachments[0]", "attachments[1]"]


def test_idempotency_keys_and_flood_limit() -> None:
    assert check_idempotency_key("0b8e5c1e-6a2b-4c4e-9a55-0f2d5f0a7c11") is not None
    assert check_idempotency_key("") is None
    with pytest.raises(InputError, match="idempotency key"):
        check_idempotency_key("<script>")
    limiter = SubmissionLimiter(max_submissions=2, window_seconds=60)
    assert limiter.try_acquire("1.2.3.4") == 0 and limiter.try_acquire("1.2.3.4") == 0
    assert 0 < limiter.try_acquire("1.2.3.4") <= 60
    assert limiter.try_acquire("5.6.7.8") == 0  # another address is not affected


def _records() -> list[ComplaintRecord]:
    r = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)  # Monday
    return [
        ComplaintRecord(1, "TS-1", "harmful_content", "replied", r, 15, "=HYPERLINK(\"http://x\")", "13800000000",
                        "alice", "已处理", replied_at=r + dt.timedelta(days=3)),
        ComplaintRecord(2, "TS-2", "illegal_content", "in_progress", r, 5, "+cmd|' /C calc'!A0", "", "", ""),
        ComplaintRecord(3, "TS-3", "illegal_content", "replied", r + dt.timedelta(days=30), 5, "正常", "", "", "好",
                        replied_at=r + dt.timedelta(days=60),
                        pauses=(Pause(r + dt.timedelta(days=31), r + dt.timedelta(days=33)),)),
    ]  # fmt: skip


def test_export_csv_and_xlsx_read_back(tmp_path: Path) -> None:
    now = dt.datetime(2026, 4, 1, tzinfo=SHANGHAI)
    assert export_complaints(_records(), tmp_path / "c.csv", now=now) == 3
    text = (tmp_path / "c.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "受理编号" and len(rows) == 4
    assert rows[1][9] == '\'=HYPERLINK("http://x")' and rows[2][9].startswith("'+cmd")  # never a formula
    assert rows[1][12] == ""  # contact only when asked
    assert rows[2][6] == "overdue" and rows[2][5] == "2026-03-09"
    export_complaints(_records(), tmp_path / "c.xlsx", now=now, with_contact=True, lang="en")
    ws = load_workbook(tmp_path / "c.xlsx").active
    assert ws is not None
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "Tracking number" and values[1][12] == "13800000000"
    assert values[1][9] == '\'=HYPERLINK("http://x")'
    with pytest.raises(InputError, match=r"\.csv or \.xlsx"):
        export_complaints(_records(), tmp_path / "c.txt", now=now)
    assert not (tmp_path / "c.txt").exists()


def test_monthly_statistics() -> None:
    months = monthly_stats(_records(), year=2026, now=dt.datetime(2026, 5, 1, tzinfo=SHANGHAI))
    assert [m.month for m in months][:4] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    march, april = months[2], months[3]
    assert march.received == 2 and march.by_category == {"harmful_content": 1, "illegal_content": 1}
    assert march.answered == 1 and march.answered_on_time == 1 and march.open == 1 and march.overdue == 1
    assert march.median_working_days_to_answer == 3.0
    assert april.received == 1 and april.answered_late == 1
    assert months[0].to_dict()["received"] == 0
