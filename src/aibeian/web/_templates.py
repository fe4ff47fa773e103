"""Rendering: one Jinja2 environment with the helpers every page uses (language, labels, CSRF token)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from aibeian.errors import InputError
from aibeian.web._i18n import label, pick

__all__ = ["field_errors", "render"]

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def field_errors(exc: InputError) -> dict[str, str]:
    """Problems keyed by form field (``""`` for those without one), shown next to their fields."""
    out: dict[str, str] = {}
    for p in exc.problems:
        text = p.message + (f" (expected {p.expected})" if p.expected else "")
        key = p.field or ""
        out[key] = f"{out[key]}; {text}" if key in out else text
    return out


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    from aibeian.web.deps import csrf_token, get_lang

    lang = get_lang(request)
    ctx = {
        "request": request,
        "lang": lang,
        "_": lambda zh, en: pick(lang, zh, en),
        "label": lambda key: label(lang, key),
        "csrf": csrf_token(request),
        "user": getattr(request.state, "user", None),
        "errors": {},
        "values": {},
        **context,
    }
    html = _ENV.get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status_code)
