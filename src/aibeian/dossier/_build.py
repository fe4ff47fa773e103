"""Build the whole dossier into a temporary folder and rename it into place only when everything built."""

from __future__ import annotations

import functools
import json
import secrets
import shutil
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from aibeian import __version__
from aibeian.dossier._check import bank_mismatches
from aibeian.dossier._checklist import ChecklistUse
from aibeian.dossier._docx import render_document
from aibeian.dossier._evidence import render_evidence_index
from aibeian.dossier._facts import Facts
from aibeian.dossier._feeds import EVIDENCE_INDEX
from aibeian.dossier._package import MANIFEST, MANIFEST_FORMAT, sha256_file
from aibeian.dossier._runs import RunSummary
from aibeian.dossier._schema import XLSX_DOCUMENTS
from aibeian.dossier._templates import check_templates_dir, load_own_template
from aibeian.dossier._words import Lang
from aibeian.dossier._xlsx import write_keyword_list, write_test_set
from aibeian.errors import InputError
from aibeian.files import atomic_write_text
from aibeian.standards import load_standards


@functools.cache
def _builtin_template(doc_id: str) -> dict[str, Any] | None:
    node = resources.files("aibeian.dossier").joinpath("templates", f"{doc_id}.yaml")
    if not node.is_file():
        return None
    data: dict[str, Any] = yaml.safe_load(node.read_text(encoding="utf-8"))
    return data


def template_for(doc_id: str, templates_dir: Path | None) -> dict[str, Any] | None:
    """A company's own template (``--templates DIR/<doc-id>.yaml``) wins over the built-in one."""
    if templates_dir is not None:
        own = templates_dir / f"{doc_id}.yaml"
        if own.is_file():
            return load_own_template(own)
    return _builtin_template(doc_id)


def _file_name(doc_id: str, lang: Lang, suffix: str) -> str:
    d = load_standards().document(doc_id)
    name = d.zh if lang == "zh" else d.en
    safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|').replace(" ", "_")
    return f"{doc_id}_{safe}{suffix}"


def build_dossier(
    facts: Facts,
    runs: list[RunSummary],
    out: Path,
    *,
    keywords: Path | None = None,
    banks: list[Path] | None = None,
    lang: Lang = "zh",
    templates_dir: Path | None = None,
    checklist: ChecklistUse | None = None,
) -> dict[str, Any]:
    """Write every document of the filing, the spreadsheets and manifest.json into ``out`` (which must not
    exist or be empty). Missing inputs are reported together before anything is written.

    With ``checklist`` (the answers as :func:`use_checklist` reads them), each ``yes`` with evidence is cited
    in the sections it feeds and listed in the evidence index (``supporting-evidence``)."""
    banks = banks or []
    if templates_dir is not None:
        check_templates_dir(templates_dir, [d.id for d in load_standards().documents])
    needed = [d for d in facts.documents if d in XLSX_DOCUMENTS or template_for(d, templates_dir) is not None]
    evidence = list(checklist.evidence) if checklist is not None else []
    if evidence and EVIDENCE_INDEX not in needed:
        needed.append(EVIDENCE_INDEX)
    problems = []
    for mismatch in bank_mismatches(runs, banks):
        problems.append(
            f"evaluation run {mismatch['run']} was made on other banks than --banks "
            f"(run: {', '.join(str(b['sha256'])[:12] for b in mismatch['run_banks'])}; "
            f"filed: {', '.join(str(b['sha256'])[:12] for b in mismatch['filed_banks'])})"
        )
    if "keyword-list" in needed and keywords is None:
        problems.append("the keyword list needs --keywords LIB.csv")
    if "evaluation-test-set" in needed and not banks:
        problems.append("the evaluation test set needs --banks BANK.jsonl …")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        problems.append(f"{out} exists and is not empty; choose a new folder")
    if problems:
        raise InputError("cannot build the dossier: " + "; ".join(problems), field="--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    # os.mkdir honours the umask (mkdtemp would make the dossier folder 0700, unreadable to colleagues)
    tmp = out.parent / f".{out.name}.{secrets.token_hex(6)}"
    tmp.mkdir()
    try:
        files = []
        run_ids = [r.run_id for r in runs]
        answers = {"answers": checklist.path, "sha256": checklist.sha256} if checklist is not None else None
        for doc_id in needed:
            source: dict[str, Any] = {"facts": facts.path, "runs": run_ids}
            if answers is not None:
                source["checklist"] = answers
            if (
                doc_id == EVIDENCE_INDEX
                and checklist is not None
                and template_for(doc_id, templates_dir) is None
            ):
                name = _file_name(doc_id, lang, ".docx")
                render_evidence_index(checklist, facts, lang, tmp / name)
                source["evidence"] = [
                    {"item": e.id, "file": f, "sha256": h}
                    for e in checklist.evidence
                    for f, h in zip(e.files, e.sha256, strict=True)
                ]
            elif doc_id == "keyword-list":
                assert keywords is not None
                name = _file_name(doc_id, lang, ".xlsx")
                count = write_keyword_list(keywords, tmp / name)
                source = {"keywords": str(keywords), "keywords_sha256": sha256_file(keywords), "count": count}
            elif doc_id == "evaluation-test-set":
                name = _file_name(doc_id, lang, ".xlsx")
                count = write_test_set(banks, runs, tmp / name)
                source = {"banks": [str(b) for b in banks], "runs": run_ids, "items": count}
            else:
                template = template_for(doc_id, templates_dir)
                assert template is not None
                name = _file_name(doc_id, lang, ".docx")
                render_document(template, facts, runs, lang, tmp / name, doc_id=doc_id, evidence=evidence)
            files.append(
                {"file": name, "document": doc_id, "sha256": sha256_file(tmp / name), "source": source}
            )
        manifest = {
            "format": MANIFEST_FORMAT,
            "filing": facts.filing,
            "role": facts.role,
            "lang": lang,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "aibeian_version": __version__,
            "required_documents": needed,
            "not_generated": [d for d in facts.documents if d not in needed],
            "files": files,
        }
        atomic_write_text(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
