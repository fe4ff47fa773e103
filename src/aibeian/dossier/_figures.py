"""Run figures as table rows: the evaluation's three filing rates and the corpus run's spot checks, each
with n, the 95 % interval, the requirement from the standards, the verdict and the run id — so a reviewer can
trace every number in the dossier to a run directory."""

from __future__ import annotations

from aibeian.dossier._runs import EVALUATION_METRICS, RunSummary
from aibeian.dossier._words import Lang, pct, word

EVALUATION_HEADER = ("metric", "n", "rate", "ci", "threshold", "verdict", "run")


def evaluation_rows(runs: list[RunSummary], lang: Lang) -> list[list[str]]:
    rows = []
    for run in runs:
        for name in EVALUATION_METRICS:
            b = run.metrics.get(name)
            if not b:
                continue
            ci = b.get("ci95") or [None, None]
            verdict = word("pass" if b.get("meets_threshold") and b.get("sample_ok", True) else "fail", lang)
            rows.append(
                [
                    str(b.get(lang) or name),
                    str(b.get("n")),
                    pct(b.get("rate")),
                    f"{pct(ci[0])}–{pct(ci[1])}",
                    f"{b.get('comparison') or ''} {pct(b.get('threshold'))}",
                    verdict,
                    run.run_id,
                ]
            )
    return rows


def verdict(ok: bool | None, lang: Lang) -> str:
    return word("incomplete" if ok is None else "pass" if ok else "fail", lang)


def spot_check_rows(runs: list[RunSummary], lang: Lang) -> list[list[str]]:
    """The corpus run's technical and manual spot checks, in the evaluation table's columns."""
    rows = []
    for run in runs:
        if run.kind != "corpus":
            continue
        tech, manual = run.metrics["technical"], run.metrics["manual"]
        rows.append(
            [
                word("technical", lang).format(
                    fraction=pct(tech["fraction"]), min_fraction=pct(tech["min_fraction"])
                ),
                str(tech["sampled"]),
                pct(tech["rate"]),
                f"{pct(tech['interval'][0])}–{pct(tech['interval'][1])}",
                f">= {pct(tech['min_pass_rate'])}",
                verdict(bool(tech["pass"]), lang),
                run.run_id,
            ]
        )
        rows.append(
            [
                word("manual", lang).format(reviewed=manual["reviewed"], min_items=manual["min_items"]),
                str(manual["reviewed"]),
                pct(manual["rate"]),
                f"{pct(manual['interval'][0])}–{pct(manual['interval'][1])}" if manual["reviewed"] else "—",
                f">= {pct(manual['min_pass_rate'])}",
                verdict(bool(manual["pass"]) if manual["complete"] else None, lang),
                run.run_id,
            ]
        )
    return rows


def corpus_source_rows(run: RunSummary, lang: Lang) -> list[list[str]]:
    """Per source: items, sampled, flagged, flagged rate and interval against the limit, verdict, run id."""
    rows = []
    for s in run.report["sources"]:
        low, high = s["interval"]
        status = s["status"]
        rows.append(
            [
                str(s.get("name") or s["id"]),
                str(s["items"]),
                str(s["sampled"]),
                str(s["flagged"]),
                pct(s["flagged_rate"]),
                f"{pct(low)}–{pct(high)}",
                f"<= {pct(s['limit'])}",
                word(status, lang),
                run.run_id,
            ]
        )
    return rows


SOURCE_HEADER = ("source", "items", "sampled", "flagged", "flagged_rate", "ci", "threshold", "verdict", "run")


def corpus_overview(run: RunSummary, lang: Lang) -> str:
    report = run.report
    library = report["run"].get("library") or {}
    return word("corpus_overview", lang).format(
        run=run.run_id,
        items=report["corpus"]["items"],
        chars=report["corpus"]["chars"],
        sources=len(report["sources"]),
        keywords=library.get("keywords", "—"),
        hash=str(library.get("hash", "—"))[:12],
        seed=report["run"]["seed"],
    )


def corpus_conclusion(run: RunSummary, lang: Lang) -> str:
    return word("corpus_conclusion", lang).format(
        run=run.run_id, status=word(run.report["conclusion"]["status"], lang)
    )
