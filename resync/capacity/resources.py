"""The resources Resync forecasts for every FTA, and the ones that saturate at a threshold."""

from typing import Literal, get_args

SaturatingResource = Literal["cpu", "memory", "disk"]
Resource = Literal[SaturatingResource, "latency", "workload"]

SATURATING: tuple[SaturatingResource, ...] = get_args(SaturatingResource)
RESOURCES: tuple[Resource, ...] = (*SATURATING, "latency", "workload")
