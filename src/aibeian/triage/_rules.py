"""``assess(answers)``: which filings apply, in which role, and what stands in the way.

The decisions are here; the words, sources and statuses are in ``rules.yaml`` and the facts (documents, review
levels, timelines, eligibility) in the standards data, so a fact is corrected in one place.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aibeian.files import packaged_yaml
from aibeian.standards import Standards, load_standards
from aibeian.triage._answers import TriageAnswers
from aibeian.triage._result import (
    ConditionalDocument,
    FilingNeed,
    FilingType,
    Lang,
    PrerequisiteState,
    ReadinessGap,
    RoleId,
    RuleRef,
    SecurityAssessmentNeed,
    Timeline,
    TimelineRange,
    TriageResult,
)

CALLS_THIRD_PARTY_MODEL = ("filed_api", "unfiled_api")
OWN_MODEL = ("own_trained", "fine_tuned")


@functools.cache
def rules_data() -> dict[str, Any]:
    text = resources.files("aibeian.triage").joinpath("rules.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = packaged_yaml(text)
    return data


@dataclass
class _Collector:
    """Collects fired rules as text in the chosen language plus their references."""

    lang: Lang
    refs: list[RuleRef] = field(default_factory=list)

    def say(self, rule_id: str, **values: Any) -> str:
        rule = rules_data()["rules"][rule_id]
        ref = RuleRef(id=rule_id, source=rule["source"], status=rule["status"])
        if ref not in self.refs:
            self.refs.append(ref)
        text = str(rule[self.lang]).format(**values)
        marker = "" if rule["status"] == "confirmed" else f"; {rule['status']}"
        basis = "依据" if self.lang == "zh" else "source"
        return (
            f"{text}（{basis}：{rule['source']}{marker}）"
            if self.lang == "zh"
            else (f"{text} ({basis}: {rule['source']}{marker})")
        )

    def ref(self, rule_id: str) -> RuleRef:
        rule = rules_data()["rules"][rule_id]
        return RuleRef(id=rule_id, source=rule["source"], status=rule["status"])


def _range(s: Standards, filing_id: str) -> TimelineRange:
    sources = s.filing(filing_id).timeline_months
    return TimelineRange(
        min_months=min(t.min for t in sources),
        max_months=max(t.max for t in sources),
        sources=[f"{t.source}: {t.min:g}–{t.max:g}" for t in sources],
    )


def _need(
    s: Standards,
    c: _Collector,
    answers: TriageAnswers,
    filing_id: FilingType,
    role: RoleId,
    rule_ids: list[tuple[str, dict[str, Any]]],
    algorithm: str | None = None,
) -> FilingNeed:
    filing = s.filing(filing_id)
    rd = rules_data()
    reasons = [c.say(rule_id, **values) for rule_id, values in rule_ids]
    documents = list(filing.documents)
    conditional: list[ConditionalDocument] = []
    for cond in filing.conditional_documents:
        if cond.document == "third-party-model-proof" and answers.model_source in CALLS_THIRD_PARTY_MODEL:
            documents.append(cond.document)
            reasons.append(c.say("third_party_model_proof"))
        elif cond.document not in documents:
            conditional.append(ConditionalDocument(id=cond.document, when=cond.when))
    algo = rd["algorithms"].get(algorithm) if algorithm else None
    return FilingNeed(
        type=filing_id,
        role=role,
        reasons=reasons,
        review_levels=list(filing.review_levels),
        documents=list(dict.fromkeys(documents)),
        name=filing.zh if c.lang == "zh" else filing.en,
        role_name=rd["roles"][role][c.lang],
        algorithm=algorithm,
        algorithm_name=algo[c.lang] if algo else None,
        algorithm_type_code=algo["type_code"] if algo else None,
        conditional_documents=conditional,
        legal_basis=list(filing.legal_basis),
        rules=[c.ref(r) for r, _ in rule_ids],
        timeline=_range(s, filing_id),
        status=filing.status,
    )


def _filings(
    s: Standards, c: _Collector, a: TriageAnswers, notes: list[str], blockers: list[str]
) -> list[FilingNeed]:
    rd = rules_data()
    needs: list[FilingNeed] = []
    if not a.public_in_china and not a.provides_to_businesses:
        notes.append(c.say("not_public"))
        return needs
    if a.public_in_china and a.generative:
        needs.append(
            _need(
                s,
                c,
                a,
                "algorithm",
                "provider",
                [("public_generative_needs_algorithm", {})],
                algorithm="generation_synthesis",
            )
        )
        if a.model_source in OWN_MODEL:
            needs.append(_need(s, c, a, "genai", "provider", [("own_model_needs_genai", {})]))
        elif a.model_source == "filed_api":
            need = _need(s, c, a, "registration", "provider", [("filed_api_needs_registration", {})])
            need.cites_upstream_filing = a.upstream_filing_number
            if a.upstream_filing_number is None:
                notes.append(c.say("upstream_number_missing"))
            needs.append(need)
        elif a.model_source == "unfiled_api":
            blockers.append("upstream_model_not_filed")
            notes.append(c.say("unfiled_model_blocked"))
        if not a.public_opinion_or_mobilization:
            notes.append(c.say("no_opinion_but_generative"))
    if a.public_in_china:
        for algorithm in a.other_algorithms:
            name = rd["algorithms"][algorithm][c.lang]
            if algorithm == "aigc_detection":
                needs.append(
                    _need(
                        s,
                        c,
                        a,
                        "algorithm",
                        "provider",
                        [("aigc_detection_algorithm", {})],
                        algorithm=algorithm,
                    )
                )
            elif a.public_opinion_or_mobilization:
                needs.append(
                    _need(
                        s,
                        c,
                        a,
                        "algorithm",
                        "provider",
                        [("public_algorithm_with_opinion", {"algorithm": name})],
                        algorithm=algorithm,
                    )
                )
        if a.other_algorithms and not a.public_opinion_or_mobilization and not a.generative:
            notes.append(c.say("no_public_opinion_algorithms"))
        if not a.generative and not a.other_algorithms:
            notes.append(c.say("no_algorithm_business"))
    if a.provides_to_businesses and a.generative:
        needs.append(
            _need(
                s,
                c,
                a,
                "algorithm",
                "technical_supporter",
                [("supporter_algorithm", {})],
                algorithm="generation_synthesis",
            )
        )
        if a.model_source in OWN_MODEL:
            needs.append(_need(s, c, a, "genai", "technical_supporter", [("supporter_genai", {})]))
    if not a.public_in_china and not needs:
        notes.append(c.say("not_public"))
    return needs


def _security(c: _Collector, a: TriageAnswers, any_filing: bool) -> SecurityAssessmentNeed:
    fired: list[str] = []
    if a.registered_users >= 100_000_000:
        fired.append("security_users")
    if a.public_in_china and a.public_opinion_or_mobilization and (a.generative or a.other_algorithms):
        fired.append("security_public_opinion")
    if a.handles_sensitive_content and (a.public_in_china or any_filing):
        fired.append("security_sensitive")
    return SecurityAssessmentNeed(
        required=bool(fired), reasons=[c.say(r) for r in fired], rules=[c.ref(r) for r in fired]
    )


def _prerequisites(
    s: Standards, c: _Collector, a: TriageAnswers, needs: list[FilingNeed], blockers: list[str]
) -> list[PrerequisiteState]:
    actions = rules_data()["prerequisite_actions"]
    eligible = a.entity_type in s.filing_rules.eligibility.eligible
    known: dict[str, bool | None] = {
        "icp": a.icp != "none",
        "eligible_entity": eligible,
        "entity_registration": None,
        "aigc_labeling": a.labels_in_place,
        "complaint_channel": a.complaint_channel,
    }
    applicable = {"icp", "eligible_entity"}
    if any(n.type == "algorithm" for n in needs):
        applicable.add("entity_registration")
    if a.generative and needs:
        applicable |= {"aigc_labeling", "complaint_channel"}
    if needs and not eligible:
        blockers.insert(0, "eligible_entity")
    if needs and a.icp == "none":
        blockers.append("icp")
    states = []
    for p in s.filing_rules.prerequisites:
        if p.id not in applicable:
            continue
        met = known.get(p.id)
        key = "unknown" if met is None else ("met" if met else "unmet")
        action = actions[p.id].get(key) or actions[p.id].get("unknown") or actions[p.id]["unmet"]
        states.append(
            PrerequisiteState(
                id=p.id,
                met=met,
                action=action[c.lang],
                name=p.zh if c.lang == "zh" else p.what,
                status=p.status,
                source=p.source,
            )
        )
    return states


def _timeline(s: Standards, c: _Collector, needs: list[FilingNeed], notes: list[str]) -> Timeline | None:
    if not needs:
        return None
    types = list(dict.fromkeys(n.type for n in needs))
    ranges = {t: _range(s, t) for t in types}
    consult = s.filing_rules.pre_filing_consultation
    notes.append(
        c.say("timeline_range", min=f"{consult.adds_months['min']:g}", max=f"{consult.adds_months['max']:g}")
    )
    if len(types) > 1:
        notes.append(c.say("filings_parallel"))
    max_months = max(r.max_months for r in ranges.values())
    return Timeline(
        min_months=max(r.min_months for r in ranges.values()),
        max_months=max_months,
        with_consultation_max_months=max_months + consult.adds_months["max"],
        sources=[f"{t}: {src}" for t, r in ranges.items() for src in r.sources]
        + [f"预沟通/consultation: {consult.source}"],
    )


def _readiness(s: Standards, c: _Collector, a: TriageAnswers) -> list[ReadinessGap]:
    kw = s.threshold("keyword_library_min_per_risk").value
    values = {
        "keyword_total": f"{s.threshold('keyword_library_min_total').value:,}",
        "keyword_a1": kw["A.1"],
        "keyword_a2": kw["A.2"],
        "generation_total": f"{s.threshold('generation_bank_min_total').value:,}",
        "refuse_total": s.threshold("should_refuse_bank_min_total").value,
        "non_refusal_total": s.threshold("non_refusal_bank_min_total").value,
    }
    gaps = []
    for key, text in rules_data()["readiness_gaps"].items():
        if getattr(a, key) is False:
            gaps.append(ReadinessGap(key=key, text=str(text[c.lang]).format(**values)))
    return gaps


def assess(answers: TriageAnswers, *, lang: Lang = "zh", standards: Standards | None = None) -> TriageResult:
    """Decide the filings, roles, review path, documents, prerequisites, blockers and timeline."""
    s = standards or load_standards()
    c = _Collector(lang=lang)
    notes: list[str] = []
    blockers: list[str] = []
    needs = _filings(s, c, answers, notes, blockers)
    if needs and answers.entity_type not in s.filing_rules.eligibility.eligible:
        notes.insert(0, c.say("ineligible_entity"))
    if needs and answers.icp == "none":
        notes.insert(0, c.say("no_icp"))
    security = _security(c, answers, bool(needs))
    prerequisites = _prerequisites(s, c, answers, needs, blockers)
    timeline = _timeline(s, c, needs, notes)
    return TriageResult(
        lang=lang,
        filing_required=bool(needs),
        filings=needs,
        security_assessment=security,
        prerequisites=prerequisites,
        blockers=list(dict.fromkeys(blockers)),
        timeline=timeline,
        notes=notes,
        readiness_gaps=_readiness(s, c, answers),
        rules=c.refs,
    )
