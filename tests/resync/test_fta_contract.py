"""The FTA contract has one source, the pydantic model: the batch path's msgspec structs and the
history schema are derived from it, and a rule the derivation cannot place stops it.

The comparisons go through what each library publishes itself (the models' and the structs'
JSON schemas, pydantic's and pandera's verdicts), not through the derivation's own code.
"""

import json
from typing import Annotated, Any

import msgspec
import polars as pl
import pytest
from pydantic import StringConstraints, ValidationError, field_validator

from resync.ingest.history_schema import HISTORY_BATCH, find_invalid_rows
from resync.ingest.payload import (
    EXAMPLE_PAYLOAD,
    LABEL_PATTERN,
    HostFacts,
    Label,
    Metrics,
    MetricsPayload,
)
from resync.ingest.store import FRAME_SCHEMA
from resync.ingest.structs import CONTRACT, KEYS, derive_structs
from tests.support.payloads import minutes_ago

Path = tuple[str, ...]
LEFT_OUT = ("title", "description", "examples", "$defs")


def ignored(node: dict[str, Any], key: str, value: Any) -> bool:
    """Wording, and what the two say differently: an enum's type (pydantic adds it), and
    whether unknown names are allowed (the structs leave a body with one to the model)."""
    return (
        key in LEFT_OUT
        or (key == "type" and "enum" in node)
        or (key == "additionalProperties" and isinstance(value, bool))
    )


def published(schema: dict[str, Any]) -> tuple[Any, set[tuple[Path, str]]]:
    """A JSON schema with its references resolved and its wording left out, and its text
    patterns by field path (which the structs leave to the batch path)."""
    patterns: set[tuple[Path, str]] = set()
    definitions = schema.get("$defs", {})

    def walk(node: Any, path: Path) -> Any:
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return walk(definitions[node["$ref"].split("/")[-1]], path)
        kept = {}
        for key, value in node.items():
            if key == "pattern":
                patterns.add((path, value))
            elif key == "patternProperties":
                # pydantic: a mapping whose keys have a pattern; msgspec: any keys.
                ((pattern, values),) = value.items()
                patterns.add(((*path, KEYS), pattern))
                kept["additionalProperties"] = walk(values, path)
            elif key == "properties":
                kept[key] = {name: walk(field, (*path, name)) for name, field in value.items()}
            elif key == "propertyNames":
                kept[key] = walk(value, (*path, KEYS))
            elif key == "anyOf":
                options = [walk(option, path) for option in value]
                kept[key] = sorted(options, key=lambda option: json.dumps(option, sort_keys=True))
            elif key == "required":
                if value:
                    kept[key] = sorted(value)
            elif not ignored(node, key, value):
                kept[key] = walk(value, path)
        return kept

    return walk(schema, ()), patterns


def leaves(node: Any, path: str = "") -> dict[str, Any]:
    """A schema as {"/properties/host/anyOf/1/properties/cpu_count/maximum": 100000, …}."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list) and any(isinstance(item, dict) for item in node):
        items = enumerate(node)
    else:
        return {path: node}
    found: dict[str, Any] = {}
    for key, child in items:
        found.update(leaves(child, f"{path}/{key}"))
    return found


def test_the_batch_structs_have_the_models_fields_optionality_types_and_bounds() -> None:
    model, patterns = published(MetricsPayload.model_json_schema())
    struct, struct_patterns = published(msgspec.json.schema(CONTRACT.root))

    # Leaf by leaf, so a difference names the field it is in.
    assert leaves(struct) == leaves(model)
    assert struct_patterns == set()
    assert set(CONTRACT.text_patterns) == patterns
    assert CONTRACT.upper_cased == ("workstation",)


def probes(field: dict[str, Any]) -> list[Any]:
    """Values at and beyond the field's bounds or allowed values, and null."""
    (kind,) = [option for option in field.get("anyOf", [field]) if option != {"type": "null"}]
    if "enum" in kind:
        return [*kind["enum"], max(kind["enum"]) + 1, None]
    low, high = kind["minimum"], kind["maximum"]
    return [low, high, low - 1, high * 2, None]


def refused_by_model(name: str, value: Any) -> bool:
    try:
        Metrics.model_validate({**EXAMPLE_PAYLOAD["metrics"], name: value})
    except ValidationError as error:
        # Only the field's own rules: the latency rule is compared by the flow's tests.
        return any(item["loc"] == (name,) for item in error.errors())
    return False


def refused_by_history(name: str, value: Any) -> bool:
    row = {
        "inbox_id": 1,
        "workstation": "WS1",
        "sample_time": minutes_ago(5),
        **EXAMPLE_PAYLOAD["metrics"],
        name: value,
    }
    reasons = find_invalid_rows(pl.DataFrame([row], schema=FRAME_SCHEMA))
    return f"{name}: " in reasons.get(1, "")


def test_the_history_schema_refuses_what_the_model_refuses_field_by_field() -> None:
    fields = Metrics.model_json_schema()["properties"]
    assert list(HISTORY_BATCH.columns) == ["inbox_id", "workstation", "sample_time", *fields]
    for name, field in fields.items():
        for value in probes(field):
            refused = refused_by_model(name, value)
            assert refused_by_history(name, value) == refused, (name, value, refused)


def test_a_field_added_to_the_model_is_decoded_with_its_bounds_and_pattern() -> None:
    class RackedHost(HostFacts):
        rack: Label | None = None

    derived = derive_structs(RackedHost)

    assert msgspec.json.decode(b'{"rack": "B12"}', type=derived.root).rack == "B12"
    with pytest.raises(msgspec.ValidationError, match="length <= 64"):
        msgspec.json.decode(json.dumps({"rack": "B" * 65}).encode(), type=derived.root)
    assert (("rack",), LABEL_PATTERN) in derived.text_patterns


def test_a_rule_the_batch_path_does_not_check_stops_the_derivation() -> None:
    class VettedHost(HostFacts):
        @field_validator("os_type")
        @classmethod
        def known_os(cls, value: str | None) -> str | None:
            return value

    class RackedHost(HostFacts):
        rack: Annotated[str, StringConstraints(pattern=r"^[A-Z]\d+$")] | None = None

    class CountedHost(HostFacts):
        disks: list[int] | None = None

    with pytest.raises(TypeError, match="VettedHost.known_os has no check in the batch path"):
        derive_structs(VettedHost)
    with pytest.raises(TypeError, match="rack: the batch path does not check this pattern"):
        derive_structs(RackedHost)
    with pytest.raises(TypeError, match="disks: no msgspec type is derived"):
        derive_structs(CountedHost)
