"""GET /api/v1/alerts and POST /api/v1/alerts/{id}/review on both backends."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resync.alerts.store import load_alert_reviews
from resync.db.engine import get_engine, session_scope
from resync.db.models import Alert, AlertReview, Workstation

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def alerts(database_url: str) -> dict[str, int]:
    """A resolved CPU alert on WS-A (older) and an open disk alert on WS-B, neither reviewed."""
    ids = {}
    with session_scope() as session:
        session.add_all([Workstation(name=n, last_sample_at=NOW) for n in ("WS-A", "WS-B")])
        session.flush()
        for name, workstation, rule, opened, resolved in (
            ("cpu", "WS-A", "cpu_saturation", NOW - timedelta(hours=5), NOW - timedelta(hours=4)),
            ("disk", "WS-B", "disk_saturation", NOW - timedelta(hours=1), None),
        ):
            alert = Alert(
                workstation=workstation,
                rule=rule,
                severity="critical",
                message=f"{rule} on {workstation}",
                value=97.0,
                opened_at=opened,
                last_seen_at=opened + timedelta(minutes=30),
                resolved_at=resolved,
            )
            session.add(alert)
            session.flush()
            ids[name] = alert.id
    return ids


def keyed(make_key, *scopes: str) -> dict[str, str]:
    return {"X-API-Key": make_key(list(scopes))[1]}


def review_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(AlertReview))


def test_a_verdict_is_recorded_and_listed(client: TestClient, alerts, make_key) -> None:
    writer = keyed(make_key, "workflows:write")
    body = {"verdict": "false_alarm", "comment": "batch start spike", "reviewer": "ana"}
    response = client.post(f"/api/v1/alerts/{alerts['cpu']}/review", headers=writer, json=body)
    assert response.status_code == 200, response.text
    reviewed = response.json()
    assert reviewed["id"] == alerts["cpu"] and reviewed["rule"] == "cpu_saturation"
    assert reviewed["review"]["verdict"] == "false_alarm"
    assert (reviewed["review"]["comment"], reviewed["review"]["decided_by"]) == (
        "batch start spike",
        "ana",
    )

    reader = keyed(make_key, "workflows:read")
    listed = client.get("/api/v1/alerts", headers=reader).json()
    assert listed["count"] == 2
    assert [(a["id"], a["review"] is None) for a in listed["data"]] == [
        (alerts["disk"], True),
        (alerts["cpu"], False),
    ]
    # The learning reads the same review.
    with get_engine().connect() as connection:
        frame = load_alert_reviews(connection)
    assert frame.select("rule", "verdict", "comment").rows() == [
        ("cpu_saturation", "false_alarm", "batch start spike")
    ]


def test_the_reviewer_defaults_to_the_key_s_name(client: TestClient, alerts, make_key) -> None:
    _, key = make_key(["workflows:write"])
    response = client.post(
        f"/api/v1/alerts/{alerts['disk']}/review",
        headers={"X-API-Key": key},
        json={"verdict": "confirmed"},
    )
    assert response.status_code == 200
    assert response.json()["review"]["decided_by"].startswith("test-")


def test_a_second_verdict_replaces_the_first_and_a_repeat_changes_nothing(
    client: TestClient, alerts, make_key
) -> None:
    writer = keyed(make_key, "workflows:write")
    path = f"/api/v1/alerts/{alerts['cpu']}/review"
    first = client.post(path, headers=writer, json={"verdict": "confirmed", "reviewer": "ana"})
    again = client.post(path, headers=writer, json={"verdict": "confirmed", "reviewer": "ana"})
    assert first.status_code == again.status_code == 200
    assert again.json()["review"]["verdict"] == "confirmed"
    assert review_count() == 1
    corrected = client.post(path, headers=writer, json={"verdict": "false_alarm"})
    assert corrected.status_code == 200
    assert corrected.json()["review"]["verdict"] == "false_alarm"
    assert review_count() == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reviewed=true", ["cpu"]),
        ("reviewed=false", ["disk"]),
        ("verdict=false_alarm", ["cpu"]),
        ("verdict=confirmed", []),
        ("open=true", ["disk"]),
        ("open=false", ["cpu"]),
        ("workstation=ws-b", ["disk"]),
        ("rule=cpu_saturation", ["cpu"]),
        ("limit=1", ["disk"]),
        ("limit=1&offset=1", ["cpu"]),
    ],
)
def test_filters(client: TestClient, alerts, make_key, query: str, expected: list[str]) -> None:
    writer = keyed(make_key, "workflows:write")
    path = f"/api/v1/alerts/{alerts['cpu']}/review"
    assert client.post(path, headers=writer, json={"verdict": "false_alarm"}).status_code == 200
    listed = client.get(f"/api/v1/alerts?{query}", headers=keyed(make_key, "workflows:read"))
    assert listed.status_code == 200
    names = {alert_id: name for name, alert_id in alerts.items()}
    assert [names[a["id"]] for a in listed.json()["data"]] == expected
    if "limit" not in query:
        assert listed.json()["count"] == len(expected)
    else:
        assert listed.json()["count"] == 2


def test_unknown_alert_is_404_and_a_bad_verdict_422(client: TestClient, alerts, make_key) -> None:
    writer = keyed(make_key, "workflows:write")
    missing = client.post(
        "/api/v1/alerts/987654/review", headers=writer, json={"verdict": "confirmed"}
    )
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No alert with id 987654"}
    bad = client.post(
        f"/api/v1/alerts/{alerts['cpu']}/review", headers=writer, json={"verdict": "maybe"}
    )
    assert bad.status_code == 422
    [problem] = bad.json()["detail"]
    assert problem["loc"] == ["body", "verdict"]
    assert problem["msg"] == "Input should be 'confirmed' or 'false_alarm'"
    assert review_count() == 0


def test_nul_in_text_is_422_not_a_database_error(client: TestClient, alerts, make_key) -> None:
    writer = keyed(make_key, "workflows:write")
    review = f"/api/v1/alerts/{alerts['cpu']}/review"
    for body in (
        {"verdict": "confirmed", "comment": "a\x00b"},
        {"verdict": "confirmed", "reviewer": "\x00"},
    ):
        assert client.post(review, headers=writer, json=body).status_code == 422
    listed = client.get("/api/v1/alerts?rule=%25%00", headers=keyed(make_key, "workflows:read"))
    assert listed.status_code == 422
    assert review_count() == 0


def test_scopes(client: TestClient, alerts, make_key) -> None:
    reader = keyed(make_key, "workflows:read")
    refused = client.post(
        f"/api/v1/alerts/{alerts['cpu']}/review", headers=reader, json={"verdict": "confirmed"}
    )
    assert refused.status_code == 403
    metrics = keyed(make_key, "metrics:read")
    assert client.get("/api/v1/alerts", headers=metrics).status_code == 403
    assert review_count() == 0
