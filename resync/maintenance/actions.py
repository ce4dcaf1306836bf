"""The allow-listed maintenance actions: what Resync may ever propose or run on an FTA.

Each command of the catalogue has a pydantic model that validates its arguments and an argv
builder; `build_argv` refuses any command outside the catalogue and any argument its model
refuses. The argv is run without a shell, on the FTA named by the `workstation` argument, in
the TWS user's environment (TWS_HOME as working directory): `rmstdlist` and `evtsize` are the
TWS utilities for the stdlist and the message files, `conman limit cpu=` is the plan's job
limit of a workstation, `lvextend --resizefs` grows a logical volume and its file system.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from resync.maintenance.types import ArgumentValue, Kind, ProposedAction
from resync.settings import LOGICAL_VOLUME_PATTERN

WorkstationName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,15}$")]
MessageFile = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,30}\.msg$")]
LogicalVolume = Annotated[str, StringConstraints(pattern=LOGICAL_VOLUME_PATTERN)]
MEGABYTE = 1_048_576


class ActionError(ValueError):
    """A proposed action is outside the catalogue or its arguments are invalid."""


class _Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    workstation: WorkstationName


class CleanStdlist(_Arguments):
    """Remove stdlist directories (joblogs) older than `older_than_days`."""

    older_than_days: int = Field(ge=3, le=365)


class ResizeMessageFile(_Arguments):
    """Raise a TWS message file's maximum size (evtsize), in megabytes."""

    message_file: MessageFile
    size_mb: int = Field(ge=1, le=2_000)


class ExtendFilesystem(_Arguments):
    """Grow the logical volume holding TWS_HOME and its file system by `add_gb` gigabytes."""

    logical_volume: LogicalVolume
    add_gb: int = Field(ge=1, le=1_000)


class MoveJobsOffWorkstation(_Arguments):
    """Lower the workstation's job limit so new job runs go to the other members of its pool."""

    job_limit: int = Field(ge=0, le=1_024)


@dataclass(frozen=True)
class CatalogueEntry:
    """One allow-listed command: its argument model, argv builder and approval policy, and
    for the reviewer its name and its risk in plain words."""

    arguments: type[_Arguments]
    argv: Callable[[_Arguments], list[str]]
    auto_approvable: bool
    title: str
    risk_level: Literal["low", "medium"]
    risk: Callable[[_Arguments], str]


CATALOGUE: dict[str, CatalogueEntry] = {
    "clean_stdlist": CatalogueEntry(
        CleanStdlist,
        lambda a: ["rmstdlist", str(a.older_than_days)],
        auto_approvable=True,
        title="clean old job logs",
        risk_level="low",
        risk=lambda a: (
            f"job logs older than {a.older_than_days} days are deleted for "
            "good; newer logs and running jobs are not touched"
        ),
    ),
    "resize_message_file": CatalogueEntry(
        ResizeMessageFile,
        lambda a: ["evtsize", a.message_file, str(a.size_mb * MEGABYTE)],
        auto_approvable=True,
        title="enlarge a message file",
        risk_level="low",
        risk=lambda a: f"{a.message_file} may then take up to {a.size_mb} MB of the FTA's disk",
    ),
    "extend_filesystem": CatalogueEntry(
        ExtendFilesystem,
        lambda a: ["lvextend", "--resizefs", "--size", f"+{a.add_gb}G", a.logical_volume],
        auto_approvable=False,
        title="grow the file system",
        risk_level="medium",
        risk=lambda a: (
            f"takes {a.add_gb} GB of the volume group for good (a mounted "
            "file system cannot be shrunk back); fails, changing nothing, if the group lacks space"
        ),
    ),
    "move_jobs_off_workstation": CatalogueEntry(
        MoveJobsOffWorkstation,
        lambda a: ["conman", f"limit cpu={a.workstation};{a.job_limit}"],
        auto_approvable=False,
        title="stop new jobs",
        risk_level="medium",
        risk=lambda a: (
            ("no new job starts" if a.job_limit == 0 else f"at most {a.job_limit} jobs run")
            + f" on {a.workstation} until someone raises its limit again; jobs that only it "
            "can run wait"
        ),
    ),
}


def _entry(command: str) -> CatalogueEntry:
    entry = CATALOGUE.get(command)
    if entry is None:
        raise ActionError(
            f"{command!r} is not an allow-listed maintenance action; allowed: "
            f"{', '.join(sorted(CATALOGUE))}"
        )
    return entry


def validate_arguments(command: str, arguments: dict[str, ArgumentValue]) -> _Arguments:
    """The validated arguments of `command`; ActionError says what is wrong."""
    try:
        return _entry(command).arguments.model_validate(arguments, strict=True)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or 'arguments'}: {issue['msg']}"
            for issue in error.errors()
        )
        raise ActionError(f"invalid arguments for {command}: {problems}") from None


def action_id(workstation: str, kind: Kind, command: str) -> str:
    """Stable id of an action: the same workstation, kind and command give the same id."""
    digest = hashlib.sha256(f"{workstation}|{kind}|{command}".encode()).hexdigest()
    return f"{command}-{digest[:16]}"


def propose(
    workstation: str, kind: Kind, command: str, description: str, **arguments: ArgumentValue
) -> ProposedAction:
    """A validated proposal of `command` for `workstation`'s problem of `kind`."""
    arguments = {"workstation": workstation, **arguments}
    validate_arguments(command, arguments)
    return ProposedAction(
        action_id=action_id(workstation, kind, command),
        command=command,
        arguments=arguments,
        description=description,
        auto_approvable=_entry(command).auto_approvable,
    )


def build_argv(action: ProposedAction) -> list[str]:
    """The argv (no shell) of an allow-listed action, its arguments validated again."""
    entry = _entry(action.command)
    return entry.argv(validate_arguments(action.command, action.arguments))


def is_auto_approvable(action: ProposedAction) -> bool:
    """Whether the catalogue lets this action run without a reviewer (never the action's say)."""
    return _entry(action.command).auto_approvable


def action_title(action: ProposedAction) -> str:
    """The action's name for a reviewer, e.g. "grow the file system"."""
    return _entry(action.command).title


def action_risk(action: ProposedAction) -> str:
    """What could go wrong or be lost when the action runs, in plain words: "Risk (low): …"."""
    entry = _entry(action.command)
    arguments = validate_arguments(action.command, action.arguments)
    return f"Risk ({entry.risk_level}): {entry.risk(arguments)}"


def action_risk_level(action: ProposedAction) -> str:
    """The action's risk in one word: low or medium."""
    return _entry(action.command).risk_level
