"""Label verification for an uploaded file: receive it under the upload rules, run
``aibeian.labeling.verify`` on it, and delete it again (the workbench keeps reports, not people's files)."""

from __future__ import annotations

import shutil
from typing import Any

from fastapi import UploadFile
from starlette.concurrency import run_in_threadpool

from aibeian.errors import InputError
from aibeian.labeling import FIELD_NAMES, label_writers, verify
from aibeian.settings import Settings
from aibeian.web._uploads import receive_upload

__all__ = ["FIELD_TITLES", "accepted_suffixes", "verify_upload"]

FIELD_TITLES: dict[str, tuple[str, str]] = {
    "Label": ("生成合成标签", "AIGC label"),
    "ContentProducer": ("生成合成服务提供者", "Content producer"),
    "ProduceID": ("内容制作编号", "Produce ID"),
    "ReservedCode1": ("预留字段1（提供者自主保护）", "Reserved code 1 (producer's protection)"),
    "ContentPropagator": ("内容传播服务提供者", "Content propagator"),
    "PropagateID": ("内容传播编号", "Propagate ID"),
    "ReservedCode2": ("预留字段2（传播者自主保护）", "Reserved code 2 (propagator's protection)"),
}
assert set(FIELD_TITLES) == set(FIELD_NAMES)


def accepted_suffixes() -> tuple[str, ...]:
    """Every suffix a registered label writer reads (plug-in writers included)."""
    return tuple(sorted({s for n in label_writers.names() for s in label_writers.get(n).suffixes}))


async def verify_upload(upload: UploadFile | None, settings: Settings) -> dict[str, Any]:
    """The verify report (``LabelReport.to_dict()``) of the uploaded file, under its uploaded name."""
    path = await receive_upload(
        upload,
        folder=settings.home / "uploads" / "labels",
        accept=accepted_suffixes(),
        max_bytes=settings.upload_max_mb << 20,
    )
    try:
        report = await run_in_threadpool(verify, path)
    except InputError as exc:
        raise InputError(
            "cannot read the file / 无法读取该文件: " + "; ".join(p.message for p in exc.problems),
            field="file",
        ) from None
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    data = report.to_dict()
    data["file"] = path.name
    return data
