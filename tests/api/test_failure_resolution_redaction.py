"""POST …/resolution masks secrets in every text it stores, `resolved_by` too, on both backends."""

from fastapi.testclient import TestClient

from tests.api.test_failures import RUN_ID, keyed, runs, url

__all__ = ["runs"]


def test_resolved_by_and_the_resolution_are_stored_redacted(
    client: TestClient, runs, make_key
) -> None:
    response = client.post(
        url(RUN_ID, "resolution"),
        headers=keyed(make_key, "workflows:write"),
        json={
            "resolution": "Ran conman -password TwsSecret1 altpass after the reset",
            "resolved_by": "dba on call, password=Ops#2026",
        },
    )
    assert response.status_code == 201
    recorded = response.json()
    assert recorded["resolution"] == "Ran conman -password [REDACTED] altpass after the reset"
    assert recorded["resolved_by"] == "dba on call, password=[REDACTED]"
    card = client.get(url(RUN_ID, "analysis"), headers=keyed(make_key, "workflows:read")).json()
    assert card["resolution"] == recorded
    assert "TwsSecret1" not in str(card) and "Ops#2026" not in str(card)
