"""Keyword library: coverage by risk against the spec's quotas (``check_library``), the releases and the
weekly-update record (``ReleaseStore.history``), recording a release of the working library, and a
try-the-matcher box (htmx) that highlights what ``Matcher.find`` reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.errors import InputError
from aibeian.keywords import Library, ReleaseStore, check_library
from aibeian.standards import load_standards
from aibeian.storage import record
from aibeian.web import _keyword_view as kv
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, SettingsDep, actor

router = APIRouter(prefix="/keywords")


def _page(request: Request, settings: SettingsDep, version: str, **extra: Any) -> Response:
    library_path, allow_path, store_dir = settings.keyword_paths()
    choice = kv.choose_library(settings, version)
    coverage = check_library(choice.library, choice.allow) if choice else None
    store = ReleaseStore(store_dir)
    ctx: dict[str, Any] = {
        "choice": choice,
        "coverage": coverage,
        "risks": load_standards().keyword_risks(),
        "history": store.history(),
        "paths": {"library": library_path, "allow": allow_path, "store": store_dir},
        "working_exists": library_path.is_file(),
        "evasion_labels": kv.EVASION_LABELS,
        "max_chars": kv.MAX_TRY_CHARS,
        **extra,
    }
    return render(request, "keywords.html", ctx, status_code=422 if extra.get("errors") else 200)


@router.get("")
def index(request: Request, settings: SettingsDep, user: CurrentUser, version: str = "") -> Response:
    return _page(request, settings, version)


@router.post("/match")
def try_matcher(
    request: Request,
    settings: SettingsDep,
    user: CurrentUser,
    text: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    """Read-only (viewers may use it): the htmx fragment with the highlighted text and the match table."""
    errors: dict[str, str] = {}
    choice = kv.choose_library(settings, version)
    matches = []
    if choice is None:
        errors["text"] = "还没有关键词库。 / There is no keyword library yet."
    elif len(text) > kv.MAX_TRY_CHARS:
        errors["text"] = (
            f"文本过长（{len(text)} 字符，上限 {kv.MAX_TRY_CHARS}）；整份文件请用 aibeian keywords scan。 / "
            f"The text is too long ({len(text)} characters, at most {kv.MAX_TRY_CHARS}); "
            "scan whole files with aibeian keywords scan."
        )
    else:
        matches = kv.matcher_for(choice, settings.cache_dir).find(text)
    ctx = {
        "segments": kv.segments(text, matches),
        "matches": matches,
        "errors": errors,
        "risk_names": {r.id: (r.zh, r.en) for r in load_standards().risks},
        "evasion_labels": kv.EVASION_LABELS,
        "choice": choice,
    }
    status = 422 if errors else 200
    if request.headers.get("hx-request"):
        return render(request, "keywords_match.html", ctx, status_code=status)
    return _page(request, settings, version, tried=text, **ctx)


@router.post("/release")
def make_release(
    request: Request,
    settings: SettingsDep,
    db: SessionDep,
    user: EditorUser,
    note: Annotated[str, Form()] = "",
) -> Response:
    """Record the working library as a new dated release (the weekly-update evidence), audited."""
    library_path, _allow, store_dir = settings.keyword_paths()
    try:
        if not library_path.is_file():
            raise InputError(
                "there is no working library to release / 没有可发布的工作词库",
                path=str(library_path),
                field="note",
                expected="a library CSV at AIBEIAN_KEYWORDS_LIBRARY",
            )
        release = ReleaseStore(store_dir).release(Library.load(library_path), note=note.strip())
    except InputError as exc:
        return _page(request, settings, "", errors=field_errors(exc), values={"note": note})
    record(
        db,
        actor=actor(user),
        action="keywords.release",
        entity="keyword_library",
        detail={
            "version": release.version,
            "content_hash": release.content_hash,
            "entries": release.meta.get("entries"),
            "added": release.meta.get("added"),
            "removed": release.meta.get("removed"),
            "note": note.strip(),
        },
    )
    db.commit()
    return RedirectResponse(f"/keywords?version={release.version}", status_code=303)
