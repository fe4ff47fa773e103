"""A demo project, so a first ``make run`` shows a realistic dashboard instead of empty tables.

Everything goes through the same repository functions (and therefore the audit log) as real use.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aibeian.storage._audit import Actor
from aibeian.storage._complaints import (
    add_complaint_note,
    assign_complaint,
    reply_complaint,
    set_complaint_status,
    submit_complaint,
)
from aibeian.storage._filings import create_filing, transition
from aibeian.storage._schema import Service, User
from aibeian.storage._services import create_service, save_triage
from aibeian.storage._users import create_user
from aibeian.triage import TriageAnswers, assess

__all__ = ["DEMO_PASSWORD", "DEMO_USER", "load_demo"]

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-password"
_ACTOR = Actor(name="demo-loader")

_BASE = {
    "entity_type": "domestic_company",
    "public_in_china": True,
    "public_opinion_or_mobilization": True,
    "generative": True,
    "modalities": ["text"],
    "provides_to_businesses": False,
    "other_algorithms": [],
    "handles_sensitive_content": False,
    "icp": "filing",
}

_SERVICES = [
    (
        "智能客服助手 / Support assistant",
        "基于开源模型微调的对外聊天机器人。",
        {
            **_BASE,
            "model_source": "fine_tuned",
            "registered_users": 50000,
            "has_keyword_library": True,
            "has_test_banks": False,
            "labels_in_place": True,
        },
    ),
    (
        "资讯推荐 / News feed",
        "个性化推荐的资讯流。",
        {
            **_BASE,
            "generative": False,
            "modalities": [],
            "model_source": "none",
            "other_algorithms": ["recommendation"],
            "registered_users": 200000,
        },
    ),
    (
        "写作小助手 / Writing helper",
        "调用已备案大模型API的写作应用。",
        {
            **_BASE,
            "model_source": "filed_api",
            "registered_users": 3000,
            "icp": "none",
            "upstream_filing_number": "Beijing-DeepseekChat-202404280016",
        },
    ),
]


def load_demo(session: Session, *, today: date | None = None) -> list[Service]:
    """Create the demo services, triage results, filings, complaints and the demo admin (idempotent)."""

    if session.scalar(select(User).where(User.username == DEMO_USER)) is not None:
        return []
    day = today or date.today()
    create_user(
        session,
        username=DEMO_USER,
        password=DEMO_PASSWORD,
        role="admin",
        actor=_ACTOR,
        display_name="演示管理员 / Demo admin",
    )
    services = []
    for name, description, raw in _SERVICES:
        service = create_service(session, name=name, description=description, actor=_ACTOR)
        answers = TriageAnswers(**raw)
        save_triage(session, service_id=service.id, answers=answers, result=assess(answers), actor=_ACTOR)
        services.append(service)
    chat, feed, writer = services
    algo = create_filing(session, service_id=chat.id, type="algorithm", actor=_ACTOR)
    transition(session, filing_id=algo.id, to="submitted", actor=_ACTOR, on=day - timedelta(days=400))
    transition(
        session,
        filing_id=algo.id,
        to="approved",
        actor=_ACTOR,
        on=day - timedelta(days=340),
        filing_number="网信算备110108970550101240011号",
    )
    genai = create_filing(
        session,
        service_id=chat.id,
        type="genai",
        actor=_ACTOR,
        deadline=day + timedelta(days=9),
        deadline_note="补正材料 / reply to feedback",
    )
    transition(session, filing_id=genai.id, to="submitted", actor=_ACTOR, on=day - timedelta(days=60))
    transition(session, filing_id=genai.id, to="feedback", actor=_ACTOR, on=day - timedelta(days=5))
    create_filing(
        session,
        service_id=feed.id,
        type="algorithm",
        actor=_ACTOR,
        deadline=day + timedelta(days=21),
        deadline_note="上线前提交 / submit before launch",
    )
    create_filing(
        session,
        service_id=writer.id,
        type="registration",
        actor=_ACTOR,
        deadline=day - timedelta(days=2),
        deadline_note="ICP备案后登记 / register after ICP",
    )
    _demo_complaints(session, day, admin_id=session.scalar(select(User.id).where(User.username == DEMO_USER)))
    return services


_COMPLAINTS = [
    # (days ago, category, description, what staff did)
    (30, "harmful_content", "聊天机器人在回答健康问题时给出了危险的用药建议，截图已保存。", "overdue"),
    (
        12,
        "unlabelled_ai_content",
        "写作小助手生成的文章发布后没有任何“AI生成”标识。<script>alert('x')</script>",
        "waiting",
    ),
    (20, "personal_information", "客服助手的回答里出现了其他用户的手机号码。", "replied"),
    (1, "discrimination", "推荐内容对某些地区的用户存在明显的地域歧视。", "new"),
]


def _demo_complaints(session: Session, day: date, *, admin_id: int | None) -> None:
    """A few complaints in every state, so the queue and the dashboard's overdue list show something."""
    from aibeian.complaints import draft_complaint, load_policy
    from aibeian.obligations._workdays import SHANGHAI

    policy = load_policy()
    for ago, category, text, state in _COMPLAINTS:
        at = datetime.combine(day - timedelta(days=ago), time(10, 30), tzinfo=SHANGHAI)
        draft = draft_complaint(
            category=category, description=text, contact="demo@example.com", files=[], policy=policy
        )
        complaint, _ = submit_complaint(session, draft=draft, policy=policy, now=at)
        if state == "new":
            continue
        assign_complaint(session, complaint_id=complaint.id, assignee_id=admin_id, actor=_ACTOR)
        set_complaint_status(
            session, complaint_id=complaint.id, to="in_progress", actor=_ACTOR, now=at + timedelta(hours=2)
        )
        if state == "waiting":
            add_complaint_note(
                session, complaint_id=complaint.id, text="请举报人提供文章链接。", actor=_ACTOR, now=at
            )
            set_complaint_status(
                session,
                complaint_id=complaint.id,
                to="waiting_reporter",
                actor=_ACTOR,
                now=at + timedelta(days=1),
            )
        elif state == "replied":
            reply_complaint(
                session,
                complaint_id=complaint.id,
                text="已修复该问题并删除相关记录，感谢您的反馈。",
                actor=_ACTOR,
                now=at + timedelta(days=6),
            )
