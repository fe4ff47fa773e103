"""DOCX: the record as custom document property ``AIGC`` (docProps/custom.xml, vt:lpwstr) and a notice
paragraph at the start or end of the body.

python-docx has no API for custom properties, so after it saves the body we rewrite the three package
parts that carry them (custom.xml, its relationship, its content type) and copy every other part unchanged.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError

from aibeian.errors import InputError
from aibeian.labeling._fields import LabelMeta, implicit_spec
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._render import text_problems
from aibeian.labeling._report import ExplicitResult, Inspection

__all__ = ["DocxLabelWriter"]

CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
PART = "docProps/custom.xml"


def _zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    except zipfile.BadZipFile as exc:
        raise InputError(f"not a valid .docx (zip) file ({exc}) / DOCX 文件损坏", path=str(path)) from exc


def _records(z: zipfile.ZipFile) -> list[tuple[str, str | dict[str, Any]]]:
    if PART not in z.namelist():
        return []
    root = ET.fromstring(z.read(PART))
    key = implicit_spec()["key"]
    return [
        ("docProps/custom.xml AIGC", "".join(p.itertext()))
        for p in root.findall(f"{{{CUSTOM}}}property")
        if p.get("name") == key
    ]


def _custom_xml(old: bytes | None, value: str) -> bytes:
    ET.register_namespace("", CUSTOM)
    ET.register_namespace("vt", VT)
    root = ET.fromstring(old) if old else ET.Element(f"{{{CUSTOM}}}Properties")
    key = implicit_spec()["key"]
    for p in root.findall(f"{{{CUSTOM}}}property"):
        if p.get("name") == key:
            root.remove(p)
    pids = [int(p.get("pid", "1")) for p in root.findall(f"{{{CUSTOM}}}property")]
    prop = ET.SubElement(
        root, f"{{{CUSTOM}}}property", {"fmtid": FMTID, "pid": str(max([1, *pids]) + 1), "name": key}
    )
    ET.SubElement(prop, f"{{{VT}}}lpwstr").text = value
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root)


def _with_part(data: bytes, tree: bytes, attrs: dict[str, str], tag: str, ns: str, match: str) -> bytes:
    ET.register_namespace("", ns)
    root = ET.fromstring(tree)
    if not any(el.get(match) == attrs[match] for el in root):
        ET.SubElement(root, f"{{{ns}}}{tag}", attrs)
        return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root)
    return data


def _set_custom(package: bytes, value: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(package))
    names = src.namelist()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = _with_part(
                    data, data, {"PartName": "/" + PART, "ContentType": CT_CUSTOM}, "Override", CT, "PartName"
                )
            elif info.filename == "_rels/.rels":
                data = _with_part(
                    data,
                    data,
                    {"Id": "rIdAIGCcustom", "Type": REL_CUSTOM, "Target": PART},
                    "Relationship",
                    RELS,
                    "Type",
                )
            elif info.filename == PART:
                data = _custom_xml(data, value)
            dst.writestr(info, data)
        if PART not in names:
            dst.writestr(PART, _custom_xml(None, value))
    return out.getvalue()


def _open_doc(data: bytes, path: Path) -> Any:
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, ET.ParseError) as exc:
        raise InputError(f"not a readable .docx ({exc}) / DOCX 文件损坏", path=str(path)) from exc


class DocxLabelWriter:
    name = "docx"
    suffixes: tuple[str, ...] = (".docx",)
    positions: tuple[str, ...] = ("start", "end")

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        data = path.read_bytes()
        z = _zip(path)
        try:
            records = _records(z)
        except ET.ParseError as exc:
            raise InputError(f"docProps/custom.xml is corrupt ({exc})", path=str(path)) from exc
        paras = [p.text.strip() for p in _open_doc(data, path).paragraphs if p.text.strip()]
        found = ExplicitResult(
            False,
            details={"where": None},
            problems=[
                "no notice with an AI term and a generation term in the first or last paragraph / 首段或末段未见标识"
            ],
        )
        for where, text in (("start", paras[0] if paras else ""), ("end", paras[-1] if paras else "")):
            if text and not text_problems(text):
                found = ExplicitResult(True, details={"where": where, "text": text[:200]})
                break
        return Inspection(records, found)

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> None:
        data = src.read_bytes()
        if opts.explicit:
            doc = _open_doc(data, src)
            paras = doc.paragraphs
            if (opts.position or "start") == "start" and paras:
                para = paras[0].insert_paragraph_before(opts.text)
            else:
                para = doc.add_paragraph(opts.text)
            for run in para.runs:
                run.bold = True
            buf = io.BytesIO()
            doc.save(buf)
            data = buf.getvalue()
        else:
            _zip(src)
        dst.write_bytes(_set_custom(data, meta.to_json()))


label_writers.register("docx")(DocxLabelWriter())
