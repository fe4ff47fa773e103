"""Selection: the triage result's filings and roles pick the items, and the conditions a triage settles
rule items in or out."""

from __future__ import annotations

from aibeian.checklist import applicable_items, load_checklist, open_conditions
from aibeian.triage import TriageResult

from .conftest import MakeTriage


def ids(triage: TriageResult | None, law: str | None = None) -> set[str]:
    return {it.id for it in applicable_items(load_checklist(), triage, law)}  # type: ignore[arg-type]


def test_without_triage_every_item_applies() -> None:
    assert len(ids(None)) == len(load_checklist().items)


def test_genai_provider_gets_training_and_corpus_items_not_registration(make_triage: MakeTriage) -> None:
    triage = make_triage(model_source="fine_tuned")
    assert {(f.type, f.role) for f in triage.filings} == {("algorithm", "provider"), ("genai", "provider")}
    got = ids(triage)
    assert {"ai.genai.annotation", "ai.genai.corpus_screening", "ai.genai.training_data_legality"} <= got
    assert {"ai.labelling.explicit", "ai.genai.complaints", "pipl.notice.privacy_policy"} <= got
    assert "ai.registration.upstream_filed" not in got
    assert "ai.deep_synthesis.supporter_training_data" not in got  # provider only
    assert "ai.algorithm.user_choice" not in got  # no recommendation algorithm


def test_registration_gets_upstream_proof_and_no_training_items(make_triage: MakeTriage) -> None:
    triage = make_triage(model_source="filed_api", upstream_filing_number=None)
    assert ("registration", "provider") in {(f.type, f.role) for f in triage.filings}
    got = ids(triage)
    assert "ai.registration.upstream_filed" in got
    assert {"ai.genai.keyword_library", "ai.genai.test_banks", "ai.genai.service_agreement"} <= got
    for training in ("ai.genai.annotation", "ai.genai.corpus_screening", "pipl.public_data.training"):
        assert training not in got


def test_algorithm_technical_supporter_alone_gets_supporter_items_not_user_facing_ones(
    make_triage: MakeTriage,
) -> None:
    full = make_triage(model_source="own_trained", provides_to_businesses=True)
    supporter = full.model_copy(
        update={
            "filings": [f for f in full.filings if f.role == "technical_supporter" and f.type == "algorithm"]
        }
    )
    assert [(f.type, f.role) for f in supporter.filings] == [("algorithm", "technical_supporter")]
    got = ids(supporter)
    assert {
        "ai.deep_synthesis.supporter_training_data",
        "ai.algorithm.filing",
        "ai.labelling.implicit",
    } <= got
    for user_facing in (
        "pipl.notice.privacy_policy",
        "ai.genai.complaints",
        "ai.labelling.explicit",
        "ai.algorithm.number_display",
        "csl.complaints.system",
    ):
        assert user_facing not in got
    assert "ai.genai.annotation" not in got  # genai-filing item; this triage has no genai filing
    assert "ai.deep_synthesis.supporter_training_data" in ids(full)


def test_recommender_gets_recommendation_items_and_no_generative_ones(make_triage: MakeTriage) -> None:
    triage = make_triage(
        generative=False, modalities=[], model_source="none", other_algorithms=["recommendation"]
    )
    got = ids(triage)
    assert {
        "ai.algorithm.user_choice",
        "ai.algorithm.complaints",
        "pipl.automated.non_personalised_option",
    } <= got
    assert not {i for i in got if i.startswith(("ai.genai.", "ai.labelling.", "ai.deep_synthesis."))}


def test_no_filing_means_no_items(make_triage: MakeTriage) -> None:
    triage = make_triage(public_in_china=False, public_opinion_or_mobilization=False)
    assert triage.filings == []
    assert ids(triage) == set()


def test_security_assessment_items_follow_the_triage(make_triage: MakeTriage) -> None:
    assert "ai.security_assessment.conducted" in ids(make_triage())
    quiet = make_triage()
    quiet = quiet.model_copy(
        update={"security_assessment": quiet.security_assessment.model_copy(update={"required": False})}
    )
    assert "ai.security_assessment.conducted" not in ids(quiet)


def test_law_filter(make_triage: MakeTriage) -> None:
    triage = make_triage()
    got = ids(triage, "dsl")
    assert got and all(i.startswith("dsl.") for i in got)
    assert got == {i for i in ids(triage) if i.startswith("dsl.")}


def test_open_conditions_are_those_the_triage_cannot_settle(make_triage: MakeTriage) -> None:
    cl = load_checklist()
    triage = make_triage()
    minors = cl.item("pipl.minors.guardian_consent")
    assert open_conditions(minors, triage) == ["minors"]
    consent = cl.item("pipl.consent.informed")
    assert open_conditions(consent, triage) == []  # a provider processes personal information
    assert open_conditions(consent, None) == ["processes_personal_information"]
    assert open_conditions(cl.item("ai.labelling.explicit"), triage) == []  # generative is known
