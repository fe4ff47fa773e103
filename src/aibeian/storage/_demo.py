"""A demo project, so a first ``make run`` shows a realistic dashboard instead of empty tables.

Everything goes through the same repository functions (and therefore the audit log) as real use.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from aibeian.storage._audit import Actor
from aibeian.storage._filings import create_filing, transition
from aibeian.storage._schema import Service
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
    """Create the demo services, triage results, filings and the demo admin (idempotent: skip if present)."""
    from sqlalchemy import select

    from aibeian.storage._schema import User

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
    return services
