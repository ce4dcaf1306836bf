"""Schemathesis over the whole OpenAPI of the live API: no input produces a 5xx."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.support.live_api import LiveApi


def test_no_server_errors(live_api: LiveApi) -> None:
    _, key = live_api.create_key(
        ["metrics:read", "metrics:write", "jobs:write", "admin:*", "workflows:*"]
    )
    schema = schemathesis.openapi.from_url(f"{live_api.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case) -> None:
            case.call_and_validate(headers={"X-API-Key": key}, checks=[not_a_server_error])

        check()
