"""Complaints in the store, on SQLite and PostgreSQL: idempotent intake, the staff's audited changes, the
pause while waiting on the reporter, overdue detection, records for export and statistics."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from aibeian.complaints import ComplaintPolicy, draft_complaint
from aibeian.errors import InputError
from aibeian.storage import (
    Actor,
    Store,
    add_complaint_note,
    assign_complaint,
    complaint_attachment,
    complaint_by_tracking,
    complaint_clock_of,
    complaint_records,
    count_complaints,
    create_user,
    get_complaint,
    list_audit,
    list_complaints,
    overdue_complaints,
    reply_complaint,
    set_complaint_status,
    submit_complaint,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
STAFF = Actor(name="staff")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _draft(policy: ComplaintPolicy, text: str = "生成的内容含有违法信息，请尽快处理。", files=()):  # type: ignore[no-untyped-def]
    return draft_complaint(
        category="illegal_content", description=text, contact="13800000000", files=list(files), policy=policy
    )


def test_submit_with_attachment_and_idempotent_retry(store: Store, policy: ComplaintPolicy) -> None:
    draft = _draft(policy, files=[("截图.png", "image/png", PNG)])
    with store.session() as s:
        c, created = submit_complaint(s, draft=draft, policy=policy, idempotency_key="key-1")
        tracking, cid = c.tracking, c.id
    assert created
    with store.session() as s:
        again, created = submit_complaint(s, draft=draft, policy=policy, idempotency_key="key-1")
        assert not created and again.id == cid
        with pytest.raises(InputError, match="different submission"):
            submit_complaint(
                s, draft=_draft(policy, "另一件完全不同的投诉内容。"), policy=policy, idempotency_key="key-1"
            )
    with store.session() as s:
        assert count_complaints(s) == 1
        c = complaint_by_tracking(s, tracking=tracking)
        assert c is not None and c.working_days == 5  # illegal_content has its own limit in the policy
        att = complaint_attachment(s, complaint_id=c.id, attachment_id=c.attachments[0].id)
        assert att.content == PNG and att.filename == "截图.png" and att.content_type == "image/png"
        assert [e.action for e in list_audit(s, entity="complaint")] == ["complaint.submit"]


def test_concurrent_retries_make_one_complaint(store: Store, policy: ComplaintPolicy) -> None:
    """Eight copies of one request racing: the database lets one in, the others get that one back."""
    draft = _draft(policy)
    results: list[int] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with store.session() as s:
                c, _created = submit_complaint(s, draft=draft, policy=policy, idempotency_key="race")
                results.append(c.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(results)) == 1 and len(results) == 8
    with store.session() as s:
        assert count_complaints(s) == 1


def test_staff_flow_is_audited_and_the_pause_moves_the_deadline(
    store: Store, policy: ComplaintPolicy
) -> None:
    received = dt.datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)  # Friday before National Day 2025
    with store.session() as s:
        user = create_user(s, username="handler", password="a-long-password", role="reviewer", actor=STAFF)
        c, _ = submit_complaint(s, draft=_draft(policy), policy=policy, now=received)
        cid, uid = c.id, user.id
    with store.session() as s:
        c = get_complaint(s, complaint_id=cid)
        # 5 working days: 09-28 (make-up Sunday), 09-29, 09-30, 10-09, 10-10
        assert complaint_clock_of(c, now=received).due == dt.date(2025, 10, 10)
        assign_complaint(s, complaint_id=cid, assignee_id=uid, actor=STAFF)
        set_complaint_status(s, complaint_id=cid, to="in_progress", actor=STAFF)
        set_complaint_status(
            s,
            complaint_id=cid,
            to="waiting_reporter",
            actor=STAFF,
            now=dt.datetime(2025, 9, 29, 9, tzinfo=SHANGHAI),
        )
        paused = complaint_clock_of(c, now=dt.datetime(2025, 10, 9, tzinfo=SHANGHAI))
        assert paused.state == "paused" and paused.days_left == 4  # only 09-28 was used
        set_complaint_status(
            s,
            complaint_id=cid,
            to="in_progress",
            actor=STAFF,
            now=dt.datetime(2025, 10, 9, 9, tzinfo=SHANGHAI),
        )
        # paused 09-29 … 10-08; the remaining 4 working days: 10-09, 10-10, 10-11 (make-up Saturday), 10-13
        assert complaint_clock_of(c, now=dt.datetime(2025, 10, 9, tzinfo=SHANGHAI)).due == dt.date(
            2025, 10, 13
        )
        add_complaint_note(s, complaint_id=cid, text="<b>内部</b> 已联系产品团队", actor=STAFF)
        reply_complaint(
            s,
            complaint_id=cid,
            text="已下架相关内容。",
            actor=STAFF,
            now=dt.datetime(2025, 10, 13, 15, tzinfo=SHANGHAI),
        )
    with store.session() as s:
        c = get_complaint(s, complaint_id=cid)
        assert c.status == "replied" and c.assignee is not None and c.assignee.username == "handler"
        assert c.notes[0].text == "<b>内部</b> 已联系产品团队"
        assert complaint_clock_of(c, now=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI)).state == "answered"
        actions = [e.action for e in reversed(list_audit(s, entity="complaint"))]
        assert actions == [
            "complaint.submit",
            "complaint.assign",
            "complaint.status",
            "complaint.status",
            "complaint.status",
            "complaint.note",
            "complaint.reply",
        ]
        with pytest.raises(InputError, match="cannot become"):
            set_complaint_status(s, complaint_id=cid, to="waiting_reporter", actor=STAFF)


def test_overdue_detection_and_filters(store: Store, policy: ComplaintPolicy) -> None:
    old = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    now = dt.datetime(2026, 4, 20, 10, tzinfo=SHANGHAI)
    with store.session() as s:
        late, _ = submit_complaint(s, draft=_draft(policy), policy=policy, now=old)
        waiting, _ = submit_complaint(
            s, draft=_draft(policy, "等待举报人补充材料的投诉。"), policy=policy, now=old
        )
        fresh, _ = submit_complaint(s, draft=_draft(policy, "今天刚收到的投诉内容。"), policy=policy, now=now)
        set_complaint_status(s, complaint_id=waiting.id, to="waiting_reporter", actor=STAFF, now=old)
        ids = (late.id, fresh.id)
    with store.session() as s:
        overdue = overdue_complaints(s, now=now)
        assert [c.id for c, _clock in overdue] == [ids[0]]
        assert overdue[0][1].due == dt.date(2026, 3, 9) and (overdue[0][1].days_left or 0) < 0
        assert count_complaints(s, status="open") == 3
        assert [c.id for c in list_complaints(s, status="waiting_reporter")] == [waiting.id]
        assert [c.id for c in list_complaints(s, q="刚收到")] == [ids[1]]
        assert count_complaints(s, assignee_id=0) == 3
        records = complaint_records(s)
        assert [r.status for r in records] == ["received", "waiting_reporter", "received"]


def test_an_unknown_complaint_is_a_lookup_error(store: Store) -> None:
    with store.session() as s, pytest.raises(LookupError):
        get_complaint(s, complaint_id=999)
