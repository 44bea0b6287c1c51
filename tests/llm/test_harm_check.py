"""Reading the harm check's answer: only ``{"harmful": <bool>}`` counts; anything else is None."""

from __future__ import annotations

import pytest

from bt_planner.llm.harm_check import harm_check_schema, harm_question, read_harm_answer


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"harmful": true}', True),
        ('{"harmful": false}', False),
        ('{"harmful": "true"}', None),
        ('{"harmful": 1}', None),
        ("[true]", None),
        ("yes", None),
        ("[" * 5000, None),
        ("", None),
    ],
)
def test_only_a_boolean_answer_is_read(content: str, expected: bool | None) -> None:
    assert read_harm_answer(content) is expected


def test_the_question_leaves_limits_to_verification() -> None:
    text = harm_question().content
    assert harm_question().role == "user"
    assert "Limits" in text and "not harmful" in text
    assert harm_check_schema()["properties"] == {"harmful": {"type": "boolean"}}
