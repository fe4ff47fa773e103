"""PDF: the record in the Info dictionary ``/AIGC`` and a notice stamped as real text on the first page.

The notice uses the PDF-standard CJK font STSong-Light (Adobe-GB1, no embedding), so it is selectable,
searchable text that any extractor reads back, and the verifier checks the page text rather than a claim.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from aibeian.errors import InputError
from aibeian.labeling._fields import LabelMeta, implicit_spec
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._render import text_problems
from aibeian.labeling._report import ExplicitResult, Inspection
from aibeian.labeling._xmp import read_xmp

__all__ = ["PdfLabelWriter"]

FONT_KEY = "/FAIGCNotice"
NOTICE_PT = 14


def _open(path: Path) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()), strict=False)
        if reader.is_encrypted:
            raise InputError("encrypted PDF: decrypt it first / 加密的 PDF 无法标识", path=str(path))
        _ = len(reader.pages)
        return reader
    except (PdfReadError, PyPdfError, ValueError, KeyError, OSError) as exc:
        raise InputError(f"corrupt or truncated PDF ({exc}) / PDF 文件损坏", path=str(path)) from exc


def _font() -> DictionaryObject:
    def n(v: str) -> NameObject:
        return NameObject(v)

    descriptor = DictionaryObject(
        {
            n("/Type"): n("/FontDescriptor"),
            n("/FontName"): n("/STSong-Light"),
            n("/Flags"): NumberObject(6),
            n("/FontBBox"): ArrayObject([NumberObject(v) for v in (-25, -254, 1000, 880)]),
            n("/ItalicAngle"): NumberObject(0),
            n("/Ascent"): NumberObject(880),
            n("/Descent"): NumberObject(-120),
            n("/CapHeight"): NumberObject(880),
            n("/StemV"): NumberObject(93),
        }
    )
    cid = DictionaryObject(
        {
            n("/Type"): n("/Font"),
            n("/Subtype"): n("/CIDFontType0"),
            n("/BaseFont"): n("/STSong-Light"),
            n("/CIDSystemInfo"): DictionaryObject(
                {
                    n("/Registry"): TextStringObject("Adobe"),
                    n("/Ordering"): TextStringObject("GB1"),
                    n("/Supplement"): NumberObject(2),
                }
            ),
            n("/FontDescriptor"): descriptor,
            n("/DW"): NumberObject(1000),
        }
    )
    return DictionaryObject(
        {
            n("/Type"): n("/Font"),
            n("/Subtype"): n("/Type0"),
            n("/BaseFont"): n("/STSong-Light"),
            n("/Encoding"): n("/UniGB-UCS2-H"),
            n("/DescendantFonts"): ArrayObject([cid]),
        }
    )


def _stamp(writer: PdfWriter, text: str, position: str) -> None:
    page = writer.pages[0]
    box = page.cropbox
    left, bottom, top = float(box.left), float(box.bottom), float(box.top)
    size = NOTICE_PT
    width, height = size * len(text) + size, size * 1.8
    y = top - height - 12 if position == "top" else bottom + 12
    x = left + 12
    resources = page.get("/Resources")
    res = resources.get_object() if resources is not None else DictionaryObject()
    fonts = res.get("/Font")
    font_dict = fonts.get_object() if fonts is not None else DictionaryObject()
    font_dict[NameObject(FONT_KEY)] = writer._add_object(_font())
    res[NameObject("/Font")] = font_dict
    page[NameObject("/Resources")] = res
    code = text.encode("utf-16-be").hex()
    ops = (
        f"q 1 1 1 rg {x:.2f} {y:.2f} {width:.2f} {height:.2f} re f 0 0 0 rg BT {FONT_KEY} {size} Tf "
        f"{x + size / 2:.2f} {y + size * 0.55:.2f} Td <{code}> Tj ET Q"
    )
    stream = DecodedStreamObject()
    stream.set_data(ops.encode("ascii"))
    old = page.get("/Contents")
    parts = ArrayObject()
    if old is not None:
        old_obj = old.get_object()
        parts.extend(old_obj if isinstance(old_obj, ArrayObject) else [old])
    parts.append(writer._add_object(stream))
    page[NameObject("/Contents")] = parts


def _explicit(reader: PdfReader) -> ExplicitResult:
    try:
        text = reader.pages[0].extract_text() if len(reader.pages) else ""
    except (PyPdfError, ValueError, KeyError) as exc:
        return ExplicitResult(False, details={"where": None}, problems=[f"page text unreadable ({exc})"])
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if not text_problems(line):
            where = "page 1 start" if i == 0 else ("page 1 end" if i == len(lines) - 1 else "page 1")
            return ExplicitResult(True, details={"where": where, "text": line[:200]})
    return ExplicitResult(
        False,
        details={"where": None},
        problems=[
            "no notice with an AI term and a generation term in the first page's text / 首页未见标识文字"
        ],
    )


class PdfLabelWriter:
    name = "pdf"
    suffixes: tuple[str, ...] = (".pdf",)
    positions: tuple[str, ...] = ("top", "bottom")

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        reader = _open(path)
        key = "/" + implicit_spec()["key"]
        records: list[tuple[str, str | dict[str, Any]]] = []
        info = reader.metadata
        if info is not None and key in info:
            records.append(("PDF Info /AIGC", str(info[key])))
        try:
            xmp = reader.xmp_metadata
            packet = xmp.stream.get_data() if xmp is not None else None
        except (PyPdfError, ValueError, KeyError):
            packet = None
        if packet:
            records += [("PDF XMP", r) for r in read_xmp(packet).records]
        return Inspection(records, _explicit(reader))

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> None:
        reader = _open(src)
        try:
            writer = PdfWriter(clone_from=reader)
            if opts.explicit:
                if not len(writer.pages):
                    raise InputError("PDF has no pages to carry a notice", path=str(src))
                _stamp(writer, opts.text, opts.position or "top")
            writer.add_metadata({"/" + implicit_spec()["key"]: meta.to_json()})
            with dst.open("wb") as fh:
                writer.write(fh)
        except (PyPdfError, ValueError, KeyError) as exc:
            raise InputError(f"cannot rewrite the PDF ({exc})", path=str(src)) from exc


label_writers.register("pdf")(PdfLabelWriter())
