"""The column-wise batch validator against `MetricsPayload`: same bodies accepted, same values.

Hypothesis builds batches of samples near the contract's edges (bounds, nulls, wrong JSON types,
time zones, unknown fields, NUL characters) and every one is judged by both.
"""

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from pydantic import ValidationError

from resync.ingest.batch import batch_from_payloads, read_sample_batch
from resync.ingest.payload import EXAMPLE_PAYLOAD, METRIC_NAMES
from resync.ingest.schemas import PayloadBatch

NOW = datetime.now(UTC).replace(microsecond=0)
ODD_VALUES = [
    None,
    True,
    False,
    "12.5",
    "",
    -0.0,
    -1,
    0,
    1,
    1.0,
    100,
    100.0,
    100.5,
    2.5,
    1e15,
    1e16,
]
ODD_VALUES += [2_147_483_647, 2_147_483_648, 245.5, 245.0, 2**63, [], {}]
# Valid text whose instant in UTC falls outside the years datetime can hold.
EDGES_OF_TIME = ["0001-01-01T00:04:00+03:00", "9999-12-31T23:59:00-05:00"]
OFFSETS = {"Z", "+00:00", "+02:00", "-05:30", "+23:59", "", "+2400"}


def timestamps() -> st.SearchStrategy[Any]:
    # Well inside or well outside the window: the model reads the clock later than this test.
    ages = st.sampled_from(
        [timedelta(minutes=m) for m in (-60, -4, 0, 1, 90)] + [timedelta(days=d) for d in (3, 399)]
    ) | st.sampled_from([timedelta(days=401), timedelta(days=-1)])
    text = st.builds(_stamp, ages, st.sampled_from(sorted(OFFSETS)), st.booleans())
    odd = [1732700000, 1732700000.5, "yesterday", "2024-02-30T10:00:00Z", *EDGES_OF_TIME]
    return text | st.sampled_from(odd)


def _stamp(age: timedelta, offset: str, fraction: bool) -> str:
    """UTC wall-clock text with `offset` written after it (so the instant moves by the offset)."""
    at = NOW - age + (timedelta(microseconds=250_000) if fraction else timedelta())
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f" if fraction else "%Y-%m-%dT%H:%M:%S") + offset


def metric_values() -> st.SearchStrategy[dict[str, Any]]:
    numbers = st.floats(min_value=0, max_value=100, allow_nan=False) | st.integers(0, 100)
    metrics = {name: numbers for name in METRIC_NAMES}
    metrics["tcp_connectivity"] = st.sampled_from([0, 1])
    metrics["process_count"] = st.integers(0, 5000)
    return st.fixed_dictionaries(metrics).map(_order_latencies)


def _order_latencies(metrics: dict[str, Any]) -> dict[str, Any]:
    low, average, high = sorted(metrics[f"latency_{n}_ms"] for n in ("min", "avg", "max"))
    return {**metrics, "latency_min_ms": low, "latency_avg_ms": average, "latency_max_ms": high}


EXTRAS = st.dictionaries(
    st.sampled_from(["future", "nested", "none", "nul\x00"]),
    st.sampled_from([1, "text", {"a": None}, [1.5, None], None, "a\x00b"]),
    min_size=1,
    max_size=2,
)
HOST = {"cpu_count": 8, "memory_total_mb": 32768, "os_type": "Linux", "agent_version": "1.0.0"}
ODD_HOST = {
    "cpu_count": [1, None, 8.0, "8", 0, 100_001],
    "memory_total_mb": [1.5, None, -1, "x"],
    "os_type": ["", None, "Lin\tux", "é", "x" * 65, 5],
    "rack": ["B12"],
}
TWS = {"stdlist_mb": 812.5, "message_files": {"Mailbox.msg": 3.2}}
ODD_TWS = {
    "stdlist_mb": [0, None, -3],
    "message_files": [{}, None, {"Mailbox.msg": 101}, {"M\x01": 1}, {"a": None}],
    "spool": [1],
}


@st.composite
def samples(draw: st.DrawFn) -> dict[str, Any]:
    """A valid sample most of the time; each kind of fault (or oddity) with a one-in-ten chance."""

    def rarely() -> bool:
        # Hypothesis favours the ends of a range; 7 of 0..9 comes up about one time in ten.
        return draw(st.integers(0, 9)) == 7

    def often() -> bool:
        return draw(st.integers(0, 9)) in (3, 4, 5, 6, 7)

    sample: dict[str, Any] = {
        "workstation": draw(st.sampled_from(["WS-PROD-01", "ws_2", "A" * 16])),
        "timestamp": _stamp(timedelta(minutes=draw(st.integers(1, 10_000))), "Z", False),
        "metrics": draw(metric_values()),
    }
    if rarely():
        sample["workstation"] = draw(st.sampled_from(["A" * 17, "9WS", "W S", "", 7]))
    if rarely():
        sample["timestamp"] = draw(timestamps())
    if rarely():
        name = draw(st.sampled_from([*METRIC_NAMES, "workstation", "timestamp"]))
        target = sample if name in ("workstation", "timestamp") else sample["metrics"]
        if draw(st.booleans()):
            target.pop(name)
        else:
            target[name] = draw(st.sampled_from(ODD_VALUES))
    if rarely():
        sample["metrics"].update(latency_min_ms=None, latency_avg_ms=None, latency_max_ms=None)
        sample["metrics"]["packet_loss_percent"] = draw(st.sampled_from([100, 100.0, 99.5]))
    if rarely():
        low = sample["metrics"].get("latency_min_ms") or 0
        sample["metrics"]["latency_max_ms"] = draw(st.sampled_from([None, low, low - 0.5]))
    for name, valid, odd in (("host", HOST, ODD_HOST), ("tws", TWS, ODD_TWS)):
        if often():
            sample[name] = dict(valid)
            if rarely():
                field = draw(st.sampled_from(sorted(odd)))
                sample[name][field] = draw(st.sampled_from(odd[field]))
        if rarely():
            sample[name] = draw(st.sampled_from([None, {}, "text", [1]]))
    if often():
        sample["latency_method"] = draw(st.sampled_from(["icmp", "tcp"]))
    if rarely():
        sample["latency_method"] = draw(st.sampled_from([None, "ICMP", 1]))
    if rarely():
        sample.update(draw(EXTRAS))
    if rarely():
        sample["metrics"].update(draw(EXTRAS))
    return sample


def judge_by_model(body: bytes) -> Any:
    try:
        return batch_from_payloads(PayloadBatch.validate_json(body), body)
    except ValidationError:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(samples(), min_size=1, max_size=3))
def test_what_the_fast_path_accepts_the_model_accepts_with_the_same_values(batch) -> None:
    body = json.dumps(batch).encode()

    fast, model = read_sample_batch(body), judge_by_model(body)
    event("fast path" if fast is not None else "model" if model is not None else "refused")

    if fast is not None:
        assert model is not None
        assert_frame_equal(fast.frame, model.frame)
        assert fast.ignored == model.ignored == []
    elif model is not None and not model.ignored:
        # Valid bodies without unknown names leave the fast path only in forms it does not
        # read itself (a whole float for an integer, a non-RFC 3339 time); name them here.
        event("valid, left to the model")


@given(
    st.sampled_from([b"", b"{}", b"[]", b"[1]", b"[{}]", b"[NaN]", b'[{"a":1e400}]'])
    | st.sampled_from(EDGES_OF_TIME).map(
        lambda at: json.dumps([{**EXAMPLE_PAYLOAD, "timestamp": at}]).encode()
    )
)
def test_bodies_that_are_not_sample_lists_are_left_to_the_model(body) -> None:
    assert read_sample_batch(body) is None
    assert judge_by_model(body) is None


def test_the_seed_sample_takes_the_fast_path_and_unknown_names_the_model() -> None:
    sample = {**EXAMPLE_PAYLOAD, "timestamp": (NOW - timedelta(minutes=5)).isoformat()}
    body = json.dumps([sample, {**sample, "workstation": "ws-prod-02"}]).encode()
    with_unknown = json.dumps([sample, {**sample, "new": 1}]).encode()

    batch = read_sample_batch(body)

    assert batch is not None
    assert batch.frame["workstation"].to_list() == ["WS-PROD-01", "WS-PROD-02"]
    assert batch.frame["payload"].to_list()[1] == json.dumps(
        {**sample, "workstation": "ws-prod-02"}
    )
    assert read_sample_batch(with_unknown) is None
    assert judge_by_model(with_unknown).ignored == [(1, ["new"])]


def test_a_batch_left_to_the_model_says_why_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    sample = {**EXAMPLE_PAYLOAD, "timestamp": (NOW - timedelta(minutes=5)).isoformat()}
    bodies = [
        [sample, {**sample, "new": 1}],
        [sample, {**sample, "workstation": "9WS"}, sample],
        [{**sample, "host": {"os_type": "Lin\tux"}}],
        {"not": "a list"},
    ]

    with caplog.at_level(logging.INFO, logger="resync.ingest.batch"):
        assert read_sample_batch(json.dumps([sample]).encode()) is not None
        for body in bodies:
            assert read_sample_batch(json.dumps(body).encode()) is None

    assert caplog.messages == [
        "batch of 2 items left to the model: not decoded as contract samples "
        "(Object contains unknown field `new` - at `$[1]`)",
        "batch of 3 items left to the model: a workstation outside its pattern",
        "batch of 1 item left to the model: a host.os_type outside its pattern",
        "batch of an unknown number of items left to the model: not decoded as contract samples "
        "(Expected `array`, got `object`)",
    ]
