"""XMP packets carrying the AIGC record in the TC260 namespace, merged into whatever XMP a file already has.

We keep a file's other XMP properties (a camera's, an editor's) and replace only the AIGC property, because
the standard wants exactly one record per file and because users' own metadata is theirs. Our record of the
visible label we drew goes in a separate aibeian namespace: it is a claim the verifier then checks against
the pixels, never a substitute for them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from aibeian.labeling._fields import implicit_spec

__all__ = ["AIBEIAN_NS", "XmpContent", "build_xmp", "read_xmp"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
X = "adobe:ns:meta/"
AIBEIAN_NS = "https://aibeian.cn/ns/label/1.0/"
_PACKET_HEAD = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_PACKET_TAIL = '\n<?xpacket end="w"?>'


def _ns() -> tuple[str, str, str]:
    xmp = implicit_spec()["xmp"]
    return xmp["namespace"], xmp["prefix"], xmp["element"]


@dataclass
class XmpContent:
    """What an XMP packet says about labels: every AIGC value found (more than one is a violation)."""

    records: list[str]
    explicit: str | None = None
    malformed: str | None = None


def _parse(packet: bytes | str) -> ET.Element:
    text = packet.decode("utf-8", "replace") if isinstance(packet, bytes) else packet
    start = text.find("<x:xmpmeta")
    if start < 0:
        start = text.find("<rdf:RDF")
    end_tag = "</x:xmpmeta>" if text.startswith("<x:xmpmeta", start) else "</rdf:RDF>"
    end = text.rfind(end_tag)
    if start < 0 or end < 0:
        raise ET.ParseError("no x:xmpmeta or rdf:RDF element")
    return ET.fromstring(text[start : end + len(end_tag)])


def read_xmp(packet: bytes | str) -> XmpContent:
    """Find AIGC values as elements or attributes anywhere in the packet (both are valid RDF/XML)."""
    ns, _, element = _ns()
    tag = f"{{{ns}}}{element}"
    try:
        root = _parse(packet)
    except ET.ParseError as exc:
        return XmpContent(records=[], malformed=f"XMP is not well-formed XML ({exc})")
    records: list[str] = []
    explicit = None
    for el in root.iter():
        if el.tag == tag:
            records.append(el.text or "")
        if tag in el.attrib:
            records.append(el.attrib[tag])
        if el.tag == f"{{{AIBEIAN_NS}}}ExplicitLabel":
            explicit = el.text
        explicit = el.attrib.get(f"{{{AIBEIAN_NS}}}ExplicitLabel", explicit)
    return XmpContent(records=records, explicit=explicit)


def build_xmp(record: str, *, explicit: str | None, existing: bytes | str | None = None) -> bytes:
    """A complete XMP packet: ``existing`` (if parseable) minus old AIGC values, plus ``record``."""
    ns, prefix, element = _ns()
    ET.register_namespace("x", X)
    ET.register_namespace("rdf", RDF)
    ET.register_namespace(prefix, ns)
    ET.register_namespace("aibeian", AIBEIAN_NS)
    root: ET.Element | None = None
    if existing:
        try:
            root = _parse(existing)
        except ET.ParseError:
            root = None  # an unreadable packet is replaced, not merged
    if root is None or root.tag not in (f"{{{X}}}xmpmeta", f"{{{RDF}}}RDF"):
        root = ET.Element(f"{{{X}}}xmpmeta")
        ET.SubElement(root, f"{{{RDF}}}RDF")
    rdf = root if root.tag == f"{{{RDF}}}RDF" else root.find(f"{{{RDF}}}RDF")
    if rdf is None:
        rdf = ET.SubElement(root, f"{{{RDF}}}RDF")
    drop = {f"{{{ns}}}{element}", f"{{{AIBEIAN_NS}}}ExplicitLabel"}
    for desc in list(rdf):
        for name in drop:
            desc.attrib.pop(name, None)
        for child in list(desc):
            if child.tag in drop:
                desc.remove(child)
        if len(desc) == 0 and set(desc.attrib) <= {f"{{{RDF}}}about"}:
            rdf.remove(desc)
    desc = ET.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    ET.SubElement(desc, f"{{{ns}}}{element}").text = record
    if explicit:
        ET.SubElement(desc, f"{{{AIBEIAN_NS}}}ExplicitLabel").text = explicit
    body = ET.tostring(root, encoding="unicode")
    return (_PACKET_HEAD + body + _PACKET_TAIL).encode("utf-8")
