"""UI language: zh-CN by default, English on request. Templates write both texts side by side,
``_("仪表盘", "Dashboard")``, so the Chinese stays next to its English and neither can be forgotten."""

from __future__ import annotations

from typing import Literal

__all__ = ["LABELS", "Lang", "label", "pick"]

Lang = Literal["zh", "en"]

LABELS: dict[str, tuple[str, str]] = {
    "preparing": ("准备中", "preparing"),
    "submitted": ("已提交", "submitted"),
    "feedback": ("反馈补正", "feedback"),
    "approved": ("已通过", "approved"),
    "algorithm": ("算法备案", "algorithm filing"),
    "genai": ("大模型备案", "GenAI filing"),
    "registration": ("生成式AI登记", "GenAI registration"),
    "admin": ("管理员", "admin"),
    "reviewer": ("审核员", "reviewer"),
    "viewer": ("只读", "viewer"),
    "filing": ("备案期限", "filing deadline"),
    "annual_update": ("年度更新", "annual update"),
    "prerequisite": ("前置条件未满足", "prerequisite not met"),
    "readiness": ("准备工作缺口", "readiness gap"),
    "untriaged": ("尚未分诊", "not triaged yet"),
    "pass": ("通过", "pass"),
    "fail": ("未通过", "fail"),
    "error": ("出错", "error"),
}


def pick(lang: Lang, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def label(lang: Lang, key: str) -> str:
    """The display name of a status, filing type, role or check kind; unknown keys show as themselves."""
    pair = LABELS.get(key)
    return key if pair is None else pick(lang, *pair)
