"""`recommend`: the catalogue's actions for each prediction, sized from the FTA's host facts.

`host_facts[workstation]` is what the FTA reports about itself (the `host` and `tws` parts of
its payload) plus what an operator recorded: `disk_total_gb`, `logical_volume` (the volume
holding TWS_HOME, for `extend_filesystem`; `maintenance_logical_volume` when not named) and
`message_file_sizes_mb` (file → current maximum size; the TWS default of 10 MB is assumed for
a file not listed).

- disk filling: clean stdlist older than `STDLIST_KEEP_DAYS`; extend the file system by what
  `SIZING_DAYS` of growth needs, in steps of 5 GB, when the volume and disk size are known;
- message file filling: raise the file's size to hold `SIZING_DAYS` of growth under 80 %;
- memory leak, degrading link: move new job runs off the workstation (job limit 0) until it is
  restarted or its link repaired;
- job slowdowns and failures not explained by a resource: no action, evidence for a person.
"""

import math
from datetime import date
from typing import Any

from resync.maintenance.actions import propose
from resync.maintenance.types import Finding, Prediction, ProposedAction
from resync.settings import Settings, get_settings

STDLIST_KEEP_DAYS = 10
SIZING_DAYS = 90
DEFAULT_MESSAGE_FILE_MB = 10
MESSAGE_FILE_TARGET_PERCENT = 80.0
EXTEND_STEP_GB = 5


def _slope(prediction: Prediction) -> float:
    return prediction.evidence["degradations"][0]["value"]


def _stdlist_growth(prediction: Prediction) -> str:
    for degradation in prediction.evidence["degradations"]:
        if degradation["resource"] == "stdlist_mb":
            level, slope = degradation["detail"]["level_now"], degradation["value"]
            return f" (the stdlist holds {level:,.0f} MB and grows {slope:,.0f} MB/day)"
    return ""


def _disk_actions(
    prediction: Prediction, facts: dict[str, Any], settings: Settings
) -> list[ProposedAction]:
    workstation = prediction.workstation
    actions = [
        propose(
            workstation,
            "disk_filling",
            "clean_stdlist",
            f"Remove stdlist directories (job logs) older than {STDLIST_KEEP_DAYS} days "
            f"on {workstation}{_stdlist_growth(prediction)}",
            older_than_days=STDLIST_KEEP_DAYS,
        )
    ]
    total_gb = facts.get("disk_total_gb")
    volume = facts.get("logical_volume") or settings.maintenance_logical_volume
    if isinstance(total_gb, int | float) and total_gb > 0 and isinstance(volume, str):
        needed = _slope(prediction) / 100 * total_gb * SIZING_DAYS
        add_gb = max(EXTEND_STEP_GB, EXTEND_STEP_GB * math.ceil(needed / EXTEND_STEP_GB))
        actions.append(
            propose(
                workstation,
                "disk_filling",
                "extend_filesystem",
                f"Grow {volume} by {add_gb} GB: {SIZING_DAYS} days of growth at "
                f"{_slope(prediction):.2f} %/day of {total_gb:g} GB",
                logical_volume=volume,
                add_gb=add_gb,
            )
        )
    return actions


def _message_file_actions(prediction: Prediction, facts: dict[str, Any]) -> list[ProposedAction]:
    name = prediction.resource.removeprefix("message_file:")
    sizes = facts.get("message_file_sizes_mb") or {}
    current_mb = float(sizes.get(name, DEFAULT_MESSAGE_FILE_MB))
    peak_now = prediction.evidence["peak_now"]
    projected = peak_now + _slope(prediction) * SIZING_DAYS
    size_mb = math.ceil(current_mb * max(2.0, projected / MESSAGE_FILE_TARGET_PERCENT))
    return [
        propose(
            prediction.workstation,
            "message_file_filling",
            "resize_message_file",
            f"Raise {name} on {prediction.workstation} from {current_mb:g} MB to {size_mb} MB "
            f"({SIZING_DAYS} days of growth stays under {MESSAGE_FILE_TARGET_PERCENT:g} %)",
            message_file=name,
            size_mb=size_mb,
        )
    ]


def _drain_actions(prediction: Prediction, reason: str) -> list[ProposedAction]:
    return [
        propose(
            prediction.workstation,
            prediction.kind,
            "move_jobs_off_workstation",
            f"Set {prediction.workstation}'s job limit to 0 so new runs go to other pool "
            f"members until {reason}",
            job_limit=0,
        )
    ]


def actions_for(
    prediction: Prediction, facts: dict[str, Any], settings: Settings
) -> list[ProposedAction]:
    """The catalogue actions for one prediction."""
    if prediction.kind == "disk_filling":
        return _disk_actions(prediction, facts, settings)
    if prediction.kind == "message_file_filling":
        return _message_file_actions(prediction, facts)
    if prediction.kind == "memory_leak":
        return _drain_actions(prediction, "the leaking process is restarted")
    if prediction.kind == "degrading_link":
        return _drain_actions(prediction, "its link to the master is repaired")
    return []


def recommend(
    predictions: list[Prediction], host_facts: dict[str, dict], settings: Settings | None = None
) -> list[Finding]:
    """Each prediction as a finding with its proposed actions and their evidence."""
    settings = settings or get_settings()
    return [
        Finding(
            **prediction.model_dump(include=set(Prediction.model_fields)),
            actions=actions_for(prediction, host_facts.get(prediction.workstation) or {}, settings),
        )
        for prediction in predictions
    ]


def merge_findings(findings: list[Finding]) -> list[Finding]:
    """One finding per FTA and kind (what the findings table holds): the soonest failure, its
    actions and evidence, with the other findings of the kind cited in its evidence and summary
    and their actions added when the soonest lacks them (an action id is per FTA, kind and
    command). Order kept, by each group's first finding."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.workstation, finding.kind), []).append(finding)
    return [_merged(group) if len(group) > 1 else group[0] for group in groups.values()]


def _merged(group: list[Finding]) -> Finding:
    far = date.max
    soonest = min(group, key=lambda f: (f.predicted_failure_date or far, -f.confidence))
    others = [finding for finding in group if finding is not soonest]
    actions = {action.action_id: action for action in soonest.actions}
    for finding in others:
        for action in finding.actions:
            actions.setdefault(action.action_id, action)
    cited = ["resource", "predicted_failure_date", "confidence", "evidence_summary", "evidence"]
    return soonest.model_copy(
        update={
            "evidence_summary": " Also: ".join(
                [soonest.evidence_summary, *(f.evidence_summary for f in others)]
            ),
            "evidence": {
                **soonest.evidence,
                "merged": [f.model_dump(mode="json", include=set(cited)) for f in others],
            },
            "actions": list(actions.values()),
        }
    )
