"""Every triage rule, through the CLI with a real answers file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Run = Callable[..., dict[str, Any]]


def kinds(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["type"], f["role"]) for f in result["filings"]]


def test_json_has_the_contract_shape(run_triage: Run) -> None:
    r = run_triage()
    assert {"filings", "security_assessment", "prerequisites", "blockers", "timeline", "notes"} <= set(r)
    f = r["filings"][0]
    assert {"type", "role", "reasons", "review_levels", "documents"} <= set(f)
    assert set(r["security_assessment"]) >= {"required", "reasons"}
    assert all(set(p) >= {"id", "met", "action"} for p in r["prerequisites"])
    assert set(r["timeline"]) >= {"min_months", "max_months", "with_consultation_max_months", "sources"}


def test_public_generative_needs_algorithm_filing_whatever_the_model_source(run_triage: Run) -> None:
    for source in ("own_trained", "fine_tuned", "filed_api", "unfiled_api"):
        r = run_triage(model_source=source)
        assert ("algorithm", "provider") in kinds(r), source
        algo = next(f for f in r["filings"] if f["type"] == "algorithm")
        assert algo["algorithm"] == "generation_synthesis"
        assert algo["algorithm_type_code"] == "01"
        assert any("深度合成管理规定" in reason for reason in algo["reasons"])


def test_own_or_fine_tuned_model_needs_genai_filing(run_triage: Run) -> None:
    for source in ("own_trained", "fine_tuned"):
        r = run_triage(model_source=source)
        assert kinds(r) == [("algorithm", "provider"), ("genai", "provider")]
        genai = r["filings"][1]
        assert genai["review_levels"] == ["provincial", "national"]
        assert "security-self-assessment" in genai["documents"]
        assert "keyword-list" in genai["documents"]
        assert any("暂行办法" in reason for reason in genai["reasons"])


def test_filed_api_registers_instead_and_cites_the_upstream_filing(run_triage: Run) -> None:
    r = run_triage(model_source="filed_api")
    assert kinds(r) == [("algorithm", "provider"), ("registration", "provider")]
    reg = r["filings"][1]
    assert reg["review_levels"] == ["provincial"]
    assert "third-party-model-proof" in reg["documents"]
    assert any("备案号" in reason for reason in reg["reasons"])
    assert reg["cites_upstream_filing"] is None
    assert any("upstream_filing_number" in note for note in r["notes"])
    cited = run_triage(model_source="filed_api", upstream_filing_number="Beijing-DeepseekChat-202404280016")
    assert cited["filings"][1]["cites_upstream_filing"] == "Beijing-DeepseekChat-202404280016"
    assert not any("upstream_filing_number" in note for note in cited["notes"])
    assert "genai" not in [f["type"] for f in r["filings"]]


def test_third_party_proof_is_required_only_when_a_third_party_model_is_called(run_triage: Run) -> None:
    own = run_triage(model_source="own_trained")
    assert "third-party-model-proof" not in own["filings"][0]["documents"]
    api = run_triage(model_source="filed_api")
    assert "third-party-model-proof" in api["filings"][0]["documents"]


def test_unfiled_upstream_model_is_a_blocker(run_triage: Run) -> None:
    r = run_triage(model_source="unfiled_api")
    assert "upstream_model_not_filed" in r["blockers"]
    assert kinds(r) == [("algorithm", "provider")]
    assert any("未经备案" in note for note in r["notes"])


def test_offering_to_businesses_adds_separate_technical_supporter_filings(run_triage: Run) -> None:
    r = run_triage(model_source="own_trained", provides_to_businesses=True)
    assert kinds(r) == [
        ("algorithm", "provider"),
        ("genai", "provider"),
        ("algorithm", "technical_supporter"),
        ("genai", "technical_supporter"),
    ]
    supporter = r["filings"][2]
    assert supporter["role_name"] == "服务技术支持者"
    assert any("另行" in reason for reason in supporter["reasons"])
    api = run_triage(model_source="filed_api", provides_to_businesses=True)
    assert ("algorithm", "technical_supporter") in kinds(api)
    assert ("genai", "technical_supporter") not in kinds(api)


def test_non_generative_algorithms_with_public_opinion_need_algorithm_filing(run_triage: Run) -> None:
    r = run_triage(
        generative=False, model_source="none", modalities=[], other_algorithms=["recommendation", "ranking"]
    )
    assert kinds(r) == [("algorithm", "provider"), ("algorithm", "provider")]
    assert [f["algorithm"] for f in r["filings"]] == ["recommendation", "ranking"]
    assert [f["algorithm_type_code"] for f in r["filings"]] == ["02", "03"]
    assert any("算法推荐管理规定" in f["reasons"][0] for f in r["filings"])


def test_non_generative_algorithms_without_public_opinion_need_no_filing(run_triage: Run) -> None:
    r = run_triage(
        generative=False,
        model_source="none",
        modalities=[],
        other_algorithms=["dispatch_decision"],
        public_opinion_or_mobilization=False,
    )
    assert r["filings"] == []
    assert r["filing_required"] is False
    assert any("舆论属性" in note for note in r["notes"])


def test_aigc_detection_product_needs_algorithm_filing(run_triage: Run) -> None:
    r = run_triage(
        generative=False,
        model_source="none",
        modalities=[],
        other_algorithms=["aigc_detection"],
        public_opinion_or_mobilization=False,
    )
    assert [(f["type"], f["algorithm"]) for f in r["filings"]] == [("algorithm", "aigc_detection")]


def test_no_algorithm_business_needs_nothing(run_triage: Run) -> None:
    r = run_triage(generative=False, model_source="none", modalities=[], public_opinion_or_mobilization=False)
    assert r["filings"] == [] and r["timeline"] is None
    assert any("重新评估" in note for note in r["notes"])


def test_internal_only_service_needs_no_filing_and_says_when_that_changes(run_triage: Run) -> None:
    r = run_triage(public_in_china=False, public_opinion_or_mobilization=False, icp="none")
    assert r["filings"] == []
    assert r["blockers"] == []  # no ICP is not a blocker when nothing is filed
    note = " ".join(r["notes"])
    assert "无需备案" in note and "开放" in note
    en = run_triage("--lang", "en", public_in_china=False, public_opinion_or_mobilization=False)
    assert any("once it opens to the public" in n for n in en["notes"])


def test_ineligible_entities_are_blocked(run_triage: Run) -> None:
    for entity in ("representative_office", "overseas_entity"):
        r = run_triage(entity_type=entity)
        assert r["blockers"][0] == "eligible_entity"
        prereq = {p["id"]: p for p in r["prerequisites"]}
        assert prereq["eligible_entity"]["met"] is False
        assert "境内合格主体" in prereq["eligible_entity"]["action"]
    for entity in ("domestic_company", "wfoe", "joint_venture", "vie"):
        assert "eligible_entity" not in run_triage(entity_type=entity)["blockers"]


def test_no_icp_is_a_blocker(run_triage: Run) -> None:
    r = run_triage(icp="none")
    assert "icp" in r["blockers"]
    assert {p["id"]: p["met"] for p in r["prerequisites"]}["icp"] is False
    assert "icp" not in run_triage(icp="licence")["blockers"]


def test_security_assessment_triggers(run_triage: Run) -> None:
    quiet = {"public_opinion_or_mobilization": False, "handles_sensitive_content": False}
    assert run_triage(**quiet)["security_assessment"]["required"] is False
    users = run_triage(**{**quiet, "registered_users": 100_000_000})["security_assessment"]
    assert users["required"] and "一亿" in users["reasons"][0]
    assert run_triage(**{**quiet, "registered_users": 99_999_999})["security_assessment"]["required"] is False
    opinion = run_triage(public_opinion_or_mobilization=True)["security_assessment"]
    assert opinion["required"] and "舆论属性" in opinion["reasons"][0]
    sensitive = run_triage(**{**quiet, "handles_sensitive_content": True})["security_assessment"]
    assert sensitive["required"] and "敏感内容" in sensitive["reasons"][0]


def test_public_opinion_defaults_to_true_for_public_generative(run_triage: Run) -> None:
    r = run_triage(drop=("public_opinion_or_mobilization", "modalities"))
    assert r["security_assessment"]["required"] is True
    internal = run_triage(public_in_china=False, drop=("public_opinion_or_mobilization",))
    assert internal["security_assessment"]["required"] is False


def test_timeline_reports_the_range_and_names_the_sources(run_triage: Run) -> None:
    t = run_triage(model_source="fine_tuned")["timeline"]
    assert (t["min_months"], t["max_months"], t["with_consultation_max_months"]) == (3, 6, 9)
    assert any("seed 000_a19ca628f24a7bad.txt" in s for s in t["sources"])
    assert any("seed 001_779b87920ab1a004.txt" in s for s in t["sources"])
    reg = run_triage(model_source="filed_api")["timeline"]
    assert (reg["min_months"], reg["max_months"]) == (2, 5)


def test_every_reason_names_its_rule_and_source(run_triage: Run) -> None:
    r = run_triage(model_source="own_trained", provides_to_businesses=True, handles_sensitive_content=True)
    reasons = [x for f in r["filings"] for x in f["reasons"]] + r["security_assessment"]["reasons"]
    assert reasons and all("依据：" in x for x in reasons)
    assert all(
        ref["source"] and ref["status"] in {"confirmed", "reported", "unverified"} for ref in r["rules"]
    )
    en = run_triage("--lang", "en")
    assert all("(source: " in x for f in en["filings"] for x in f["reasons"])


def test_readiness_answers_fill_prerequisites_and_gaps(run_triage: Run) -> None:
    r = run_triage(labels_in_place=True, complaint_channel=False, has_keyword_library=False)
    prereq = {p["id"]: p["met"] for p in r["prerequisites"]}
    assert prereq["aigc_labeling"] is True and prereq["complaint_channel"] is False
    assert prereq["entity_registration"] is None
    gaps = {g["key"]: g["text"] for g in r["readiness_gaps"]}
    assert set(gaps) == {"has_keyword_library", "complaint_channel"}
    assert "10,000" in gaps["has_keyword_library"]
