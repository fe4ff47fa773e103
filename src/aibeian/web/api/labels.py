"""``/api/labels/verify``: the label verify report of an uploaded file (the JSON ``aibeian label verify``
prints), under the same upload limits as the screens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from aibeian.web._labels import verify_upload
from aibeian.web.deps import CurrentUser, SettingsDep

router = APIRouter(prefix="/labels", tags=["labels"])


@router.post("/verify", response_model=dict[str, Any])
async def verify_file(
    settings: SettingsDep, user: CurrentUser, file: Annotated[UploadFile | None, File()] = None
) -> dict[str, Any]:
    return await verify_upload(file, settings)
