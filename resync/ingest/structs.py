"""msgspec structs for the batch path, derived from the pydantic contract in `payload.py`.

The structs are built once, at import, from the models' fields: names, optionality, types and
bounds follow the models, so a field added there is decoded here too, at msgspec's speed. Three
rules are not checked per value by msgspec; the batch path checks them once per batch:
- text patterns (`text_patterns`: where each applies), once per distinct value;
- upper-casing (`upper_cased`: the top-level fields stored upper-case);
- the models' validators (BATCH_CHECKS: which check of the batch path stands for each).
Anything else a model holds (a new validator, constraint or type) stops the import with a
TypeError, so the batch path cannot skip a rule by mistake.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import msgspec
from msgspec import Meta, Struct
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Strict, StringConstraints
from pydantic.fields import FieldInfo

from resync.ingest.payload import (
    LABEL_PATTERN,
    WORKSTATION_PATTERN,
    MetricsPayload,
    refuse_epoch_numbers,
)

KEYS = "[keys]"  # a step of a text path: the keys of a mapping
TextPath = tuple[str, ...]
# The model validators and the check of the batch path (resync/ingest/batch.py) for each.
BATCH_CHECKS = {
    "Metrics.check_latencies": "_latencies_consistent",
    "MetricsPayload.check_timestamp_window": "_within_window",
    # It looks at unknown names only, and a body with one is left to the model.
    "MetricsPayload.check_unknown_fields": "forbid_unknown_fields",
}
CHECKED_PATTERNS = (WORKSTATION_PATTERN, LABEL_PATTERN)
BOUNDS = {
    annotated_types.Ge: "ge",
    annotated_types.Le: "le",
    annotated_types.Gt: "gt",
    annotated_types.Lt: "lt",
    annotated_types.MinLen: "min_length",
    annotated_types.MaxLen: "max_length",
}
SCALARS = (float, int, str, NoneType)


class _Derivation:
    """One walk over the contract: the structs, and the rules left to the batch path."""

    def __init__(self) -> None:
        self.structs: dict[type[BaseModel], type[Struct]] = {}
        self.text_patterns: list[tuple[TextPath, str]] = []
        self.upper_cased: list[str] = []

    def struct_of(self, model: type[BaseModel], path: TextPath = ()) -> type[Struct]:
        decorators = model.__pydantic_decorators__
        for name in (*decorators.model_validators, *decorators.field_validators):
            if f"{model.__name__}.{name}" not in BATCH_CHECKS:
                raise TypeError(f"{model.__name__}.{name} has no check in the batch path")
        fields: list[tuple[Any, ...]] = []
        for name, field in model.model_fields.items():
            kind = self.type_of(_annotation(field), (*path, name))
            if field.is_required():
                fields.append((name, kind))
            elif field.default is None:
                fields.append((name, kind, None))
            else:
                raise TypeError(f"{model.__name__}.{name}: only None is derived as a default")
        struct = msgspec.defstruct(
            model.__name__, fields, forbid_unknown_fields=True, kw_only=True, module=__name__
        )
        self.structs[model] = struct
        return struct

    def type_of(self, annotation: Any, path: TextPath) -> Any:
        origin = get_origin(annotation)
        if origin is Annotated:
            base, *metadata = get_args(annotation)
            return self.constrained(base, metadata, path)
        if origin in (Union, UnionType):
            return reduce(or_, (self.type_of(option, path) for option in get_args(annotation)))
        if origin is Literal or annotation in SCALARS:
            return annotation
        if origin is dict:
            key, value = get_args(annotation)
            return dict[self.type_of(key, (*path, KEYS)), self.type_of(value, path)]
        if annotation is AwareDatetime:
            return Annotated[datetime, Meta(tz=True)]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return self.struct_of(annotation, path)
        raise TypeError(f"{'.'.join(path)}: no msgspec type is derived for {annotation!r}")

    def constrained(self, base: Any, metadata: list[Any], path: TextPath) -> Any:
        bounds: dict[str, Any] = {}
        for item in _flatten(metadata):
            if type(item) in BOUNDS:
                name = BOUNDS[type(item)]
                bounds[name] = getattr(item, name)
            elif isinstance(item, StringConstraints):
                bounds.update(self.string_bounds(item, path))
            elif isinstance(item, BeforeValidator) and item.func is refuse_epoch_numbers:
                pass  # msgspec reads a datetime from RFC 3339 text only, never from a number
            elif isinstance(item, Strict) and base is AwareDatetime:
                pass  # and from JSON text alone, strict or not
            else:
                raise TypeError(f"{'.'.join(path)}: {item!r} has no msgspec counterpart")
        kind = self.type_of(base, path)
        return Annotated[kind, Meta(**bounds)] if bounds else kind

    def string_bounds(self, constraints: StringConstraints, path: TextPath) -> dict[str, Any]:
        bounds = {
            name: value
            for name in ("min_length", "max_length")
            if (value := getattr(constraints, name)) is not None
        }
        if constraints.pattern is not None:
            if constraints.pattern not in CHECKED_PATTERNS:
                raise TypeError(f"{'.'.join(path)}: the batch path does not check this pattern")
            self.text_patterns.append((path, constraints.pattern))
        if constraints.to_upper:
            if len(path) != 1:
                raise TypeError(f"{'.'.join(path)}: only top-level fields are upper-cased")
            self.upper_cased.append(path[0])
        others = ("strip_whitespace", "to_lower", "strict", "ascii_only")
        if any(getattr(constraints, name) for name in others):
            raise TypeError(f"{'.'.join(path)}: {constraints!r} has no msgspec counterpart")
        return bounds


def _annotation(field: FieldInfo) -> Any:
    return Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation


def _flatten(metadata: list[Any]) -> list[Any]:
    """FieldInfo objects (from `Field(ge=…)` inside Annotated) opened into their constraints."""
    flat = []
    for item in metadata:
        flat.extend(_flatten(item.metadata) if isinstance(item, FieldInfo) else [item])
    return flat


@dataclass(frozen=True)
class DerivedStructs:
    """The structs of a model and its parts, and the rules left to the batch path."""

    root: type[Struct]
    structs: dict[type[BaseModel], type[Struct]]
    text_patterns: tuple[tuple[TextPath, str], ...]
    upper_cased: tuple[str, ...]


def derive_structs(model: type[BaseModel]) -> DerivedStructs:
    """msgspec structs for `model`; TypeError for a rule they and the batch path cannot hold."""
    derivation = _Derivation()
    root = derivation.struct_of(model)
    return DerivedStructs(
        root=root,
        structs=derivation.structs,
        text_patterns=tuple(derivation.text_patterns),
        upper_cased=tuple(derivation.upper_cased),
    )


CONTRACT = derive_structs(MetricsPayload)
