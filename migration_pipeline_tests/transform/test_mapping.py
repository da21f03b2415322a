"""The mapping config: the committed sample loads, and bad input names the path and what was expected."""

import pytest

from migration_pipeline.transform.mapping import SAMPLE_MAPPING, MappingError, load_mapping, parse_mapping
from migration_pipeline.transform.names import name_key


def test_the_committed_sample_is_valid():
    config = load_mapping(SAMPLE_MAPPING)
    assert config.policies.no_posting == "candidate_only"
    assert config.archive_reasons.map["No Response - OLD"] == "Unresponsive"


def test_an_unknown_policy_value_names_the_field_and_the_choices():
    with pytest.raises(MappingError) as err:
        parse_mapping({"policies": {"no_posting": "drop"}}, "m.yaml")
    assert "m.yaml" in str(err.value) and "policies.no_posting" in str(err.value) and "'drop'" in str(err.value)


def test_an_unknown_key_and_a_bad_region_are_both_reported():
    with pytest.raises(MappingError) as err:
        parse_mapping({"stagez": {}, "policies": {"phone_region": "USA"}})
    text = str(err.value)
    assert "2 problem(s)" in text and "stagez" in text and "policies.phone_region" in text


def test_a_missing_file_and_bad_yaml_are_clear_errors(tmp_path):
    with pytest.raises(MappingError, match="not found"):
        load_mapping(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("stages: [unclosed")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_mapping(bad)


def test_names_match_ignoring_case_spaces_and_unicode_width():
    assert name_key("  On-site   Interview ") == name_key("on-site interview") == name_key("ON-SITE INTERVIEW")
    assert name_key("Ｍünchen") == name_key("münchen")
    assert name_key("Phone screen") != name_key("Phone screens")
