"""The review form refuses what the decisions' store cannot hold, before the run takes it."""

import pydantic
import pytest

from tasks.maintenance_review import review_form

REQUEST = {"findings": [], "insight": {}, "asked": []}


@pytest.mark.parametrize("field", ["reviewer", "comment"])
def test_nul_in_the_reviewers_name_or_comment_is_refused(field) -> None:
    form = review_form(REQUEST)
    values = {"reviewer": "night shift", "comment": "checked", field: "night\x00shift"}

    with pytest.raises(pydantic.ValidationError) as refused:
        form.model_validate(values)

    assert [error["loc"] for error in refused.value.errors()] == [(field,)]
    # Prefect's server checks a resumed run's input against this schema too.
    assert form.model_json_schema()["properties"][field]["pattern"] == "^[^\\x00]*$"
    assert form.model_validate({**values, field: "night shift"}).reviewer == "night shift"
