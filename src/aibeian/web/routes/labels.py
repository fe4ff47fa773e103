"""Labels: upload a file and read what ``aibeian.labeling.verify`` finds — the explicit label, the implicit
AIGC metadata field by field, and every problem — in Chinese or English."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from aibeian.errors import InputError
from aibeian.web._labels import FIELD_TITLES, accepted_suffixes, verify_upload
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, SettingsDep

router = APIRouter(prefix="/labels")


def _ctx(settings: SettingsDep) -> dict[str, object]:
    return {"accept": accepted_suffixes(), "max_mb": settings.upload_max_mb, "titles": FIELD_TITLES}


@router.get("")
def index(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    return render(request, "labels.html", _ctx(settings))


@router.post("")
async def check(
    request: Request,
    settings: SettingsDep,
    user: CurrentUser,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        report = await verify_upload(file, settings)
    except InputError as exc:
        return render(
            request, "labels.html", {**_ctx(settings), "errors": field_errors(exc)}, status_code=422
        )
    return render(request, "labels.html", {**_ctx(settings), "report": report})
