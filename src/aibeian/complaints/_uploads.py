"""Attachment checks: the type is read from the bytes (never trusted from the name or the browser), the name
is reduced to safe characters, and a .docx is opened as the zip it is to refuse a zip bomb before anyone
unpacks it. What passes is only ever served back as a download (``Content-Disposition: attachment``,
``nosniff``), so even a PDF with script in it is never run in a staff browser by us."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from aibeian.complaints._policy import ComplaintPolicy
from aibeian.errors import InputError, Problem

__all__ = ["TYPES", "Attachment", "check_attachment", "check_attachments", "safe_filename", "sniff"]

# kind → (MIME type, accepted extensions)
TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "webp": ("image/webp", (".webp",)),
    "pdf": ("application/pdf", (".pdf",)),
    "txt": ("text/plain", (".txt",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
}
GENERIC = {"", "application/octet-stream", "binary/octet-stream"}
_UNSAFE = re.compile(r"[^\w.\-()\[\] ]+")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def safe_filename(name: str) -> str:
    """A display name with no path, no control characters, no markup: ``<script>.png`` → ``_script_.png``."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .") or "attachment"
    if len(base) > 100:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 100 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:100]
    return base


def sniff(content: bytes) -> str | None:
    """The kind the bytes are, by their signature; None when none of the accepted kinds."""
    head = content[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"  # confirmed (or refused) by _check_docx
    if b"\x00" not in content[:65536]:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "txt"
    return None


def _check_docx(content: bytes, policy: ComplaintPolicy, name: str) -> str | None:
    """None when the zip is a plausible Word document within the unpack limits, else the reason."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if len(infos) > 2000:
                return f"{name}: 压缩包条目过多，疑似压缩炸弹 / the archive has {len(infos)} entries (a zip bomb?)"
            unpacked = sum(i.file_size for i in infos)
            packed = max(sum(i.compress_size for i in infos), 1)
            if unpacked > policy.max_unpacked_bytes or unpacked / packed > policy.max_ratio:
                return (
                    f"{name}: 疑似压缩炸弹，已拒收 / unpacks to {unpacked} bytes from {packed} ({unpacked // packed}:1) — "
                    f"refused as a possible zip bomb (at most {policy.max_unpacked_bytes} bytes, "
                    f"{policy.max_ratio}:1)"
                )
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return f"{name}: 不是 Word 文档 / a zip archive that is not a Word document (.docx)"
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return f"{name}: 文件已损坏 / damaged archive ({exc})"
    return None


def check_attachment(
    filename: str, declared_type: str, content: bytes, policy: ComplaintPolicy, *, index: int = 0
) -> Attachment:
    """The attachment with a safe name and its sniffed type, or InputError naming the file and the reason."""
    name = safe_filename(filename)
    field = f"attachments[{index}]"
    allowed = ", ".join(policy.types)

    def refuse(message: str) -> InputError:
        return InputError(message, field=field, expected=f"{allowed}; at most {policy.max_bytes} bytes each")

    if not content:
        raise refuse(f"{name}: 文件为空 / the file is empty")
    if len(content) > policy.max_bytes:
        raise refuse(
            f"{name}: 文件过大 / {len(content)} bytes is larger than the limit of {policy.max_bytes}"
        )
    kind = sniff(content)
    if kind is None or kind not in policy.types:
        raise refuse(f"{name}: 不支持此类文件 / this kind of file is not accepted")
    mime, extensions = TYPES[kind]
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in GENERIC and declared != mime:
        raise refuse(f"{name}: 文件类型与内容不符 / declared as {declared} but the content is {mime}")
    if not name.lower().endswith(extensions):
        raise refuse(
            f"{name}: 扩展名与内容不符 / the content is {mime}, which must be named {' or '.join(extensions)}"
        )
    if kind == "docx" and (reason := _check_docx(content, policy, name)) is not None:
        raise refuse(reason)
    return Attachment(filename=name, content_type=mime, content=content)


def check_attachments(files: list[tuple[str, str, bytes]], policy: ComplaintPolicy) -> list[Attachment]:
    """Every file checked; every problem reported together (nothing is stored unless all pass)."""
    if len(files) > policy.max_files:
        raise InputError(
            f"附件过多 / {len(files)} files attached; at most {policy.max_files}",
            field="attachments",
            expected=f"<= {policy.max_files} files",
        )
    problems: list[Problem] = []
    out = []
    for i, (name, declared, content) in enumerate(files):
        try:
            out.append(check_attachment(name, declared, content, policy, index=i))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems=problems)
    return out
