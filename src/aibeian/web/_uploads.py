"""Uploads, the same rules on every screen: a size limit (``AIBEIAN_UPLOAD_MAX_MB``) and a list of accepted
types per screen, each refused with a message that says the limit or the types, never a traceback.

Two layers: ``UploadLimitMiddleware`` refuses a multipart request whose body is larger than the limit
before anything is parsed or spooled to disk (by ``Content-Length``, and by counting for a chunked body);
``receive_upload`` then checks one file — its suffix, its first bytes against the format it claims, and its
size while it is copied — and raises ``InputError`` on the form field so the screen shows it there.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Any

from fastapi import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aibeian.errors import InputError

__all__ = ["UploadLimitMiddleware", "receive_upload", "sniff_problem"]

CHUNK = 1 << 20
FORM_OVERHEAD = 1 << 20  # room for the other form fields and multipart boundaries

# first bytes of the binary formats we take (text formats are checked by decoding instead)
_MAGIC: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".wav": (b"RIFF",),
    ".flac": (b"fLaC",),
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xfa"),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
}
_ISO_MEDIA = (".mp4", ".m4a", ".mov", ".heic", ".heif")
_TEXT = (".txt", ".md", ".markdown", ".csv", ".json", ".jsonl", ".yaml", ".yml")


def sniff_problem(suffix: str, head: bytes) -> str | None:
    """Why ``head`` (the file's first bytes) is not a file of type ``suffix``; None when it looks right."""
    if suffix in _MAGIC:
        if not head.startswith(_MAGIC[suffix]):
            return f"the content is not a {suffix} file / 文件内容与扩展名 {suffix} 不符"
        if suffix == ".webp" and head[8:12] != b"WEBP":
            return "the content is not a .webp file / 文件内容与扩展名 .webp 不符"
        return None
    if suffix in _ISO_MEDIA:
        return (
            None
            if head[4:8] == b"ftyp"
            else f"the content is not a {suffix} file / 文件内容与扩展名 {suffix} 不符"
        )
    if suffix in _TEXT:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
                return "not UTF-8 text / 不是 UTF-8 文本"
        return None
    return None


def _mib(limit: int) -> str:
    return f"{limit / (1 << 20):g} MiB"


async def receive_upload(
    upload: UploadFile | None,
    *,
    folder: Path,
    accept: tuple[str, ...],
    max_bytes: int,
    field: str = "file",
) -> Path:
    """Copy ``upload`` into a new subfolder of ``folder`` and return its path, or raise ``InputError``."""
    if upload is None or not upload.filename:
        raise InputError("choose a file to upload / 请选择要上传的文件", field=field)
    name = Path(upload.filename.replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    if suffix not in accept:
        raise InputError(
            f"files of type {suffix or '(no extension)'} are not accepted here / 不支持该文件类型",
            field=field,
            expected="one of " + " ".join(accept),
        )
    head = await upload.read(64)
    problem = sniff_problem(suffix, head)
    if problem:
        raise InputError(problem, field=field, expected="a real " + suffix + " file")
    target_dir = folder / secrets.token_hex(8)
    target_dir.mkdir(parents=True)
    safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|\x00') or f"upload{suffix}"
    target = target_dir / safe
    size = len(head)
    try:
        with target.open("wb") as out:
            out.write(head)
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(
                        f"the file is larger than the limit of {_mib(max_bytes)} / 文件超过 {_mib(max_bytes)} 上限",
                        field=field,
                        expected="a smaller file (the limit is AIBEIAN_UPLOAD_MAX_MB)",
                    )
                out.write(chunk)
        if size == 0:
            raise InputError("the file is empty / 文件为空", field=field)
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise
    return target


class UploadLimitMiddleware:
    """Refuse a multipart body over the limit with 413 before the form parser spools it to disk."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes + FORM_OVERHEAD
        self.limit_text = _mib(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._is_multipart(scope):
            await self.app(scope, receive, send)
            return
        length = self._content_length(scope)
        if length is not None and length > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, send)

    @staticmethod
    def _is_multipart(scope: Scope) -> bool:
        for key, value in scope.get("headers", []):
            if key == b"content-type":
                return bool(value.lower().startswith(b"multipart/"))
        return False

    @staticmethod
    def _content_length(scope: Scope) -> int | None:
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return None
        return None

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = (
            f"the upload is larger than the limit of {self.limit_text} (AIBEIAN_UPLOAD_MAX_MB) / "
            f"上传文件超过 {self.limit_text} 上限"
        )
        body: bytes
        headers: list[Any]
        if str(scope.get("path", "")).startswith("/api"):
            import json

            body = json.dumps({"error": "too_large", "message": message}, ensure_ascii=False).encode()
            headers = [(b"content-type", b"application/json")]
        else:
            page = (
                '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>文件过大 / File too large'
                '</title><link rel="stylesheet" href="/static/app.css"></head><body><main><h1>文件过大 / File too '
                f'large</h1><p class="form-error" role="alert">{message}</p><p><a href="javascript:history.back()">'
                "返回 / Back</a></p></main></body></html>"
            )
            body = page.encode()
            headers = [(b"content-type", b"text/html; charset=utf-8")]
        headers.append((b"content-length", str(len(body)).encode()))
        headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(BaseException):
    pass
