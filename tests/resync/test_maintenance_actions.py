"""The allow-listed maintenance actions: exact argv, refused commands and arguments, stable ids,
and what a reviewer is told of each: its name and its risk."""

import pytest

from resync.maintenance.actions import (
    CATALOGUE,
    ActionError,
    action_id,
    action_risk,
    action_risk_level,
    action_title,
    build_argv,
    is_auto_approvable,
    propose,
)
from resync.maintenance.types import ProposedAction


def action(command: str, auto_approvable: bool = False, **arguments) -> ProposedAction:
    return ProposedAction(
        action_id="any",
        command=command,
        arguments=arguments,
        description="test",
        auto_approvable=auto_approvable,
    )


@pytest.mark.parametrize(
    ("command", "arguments", "argv"),
    [
        ("clean_stdlist", {"older_than_days": 10}, ["rmstdlist", "10"]),
        (
            "resize_message_file",
            {"message_file": "Mailbox.msg", "size_mb": 40},
            ["evtsize", "Mailbox.msg", "41943040"],
        ),
        (
            "extend_filesystem",
            {"logical_volume": "/dev/mapper/twsvg-twslv", "add_gb": 25},
            ["lvextend", "--resizefs", "--size", "+25G", "/dev/mapper/twsvg-twslv"],
        ),
        ("move_jobs_off_workstation", {"job_limit": 0}, ["conman", "limit cpu=FTA01;0"]),
    ],
)
def test_each_catalogue_command_builds_its_exact_argv(command, arguments, argv) -> None:
    assert build_argv(action(command, workstation="FTA01", **arguments)) == argv


def test_a_command_outside_the_catalogue_is_refused() -> None:
    with pytest.raises(ActionError, match="'rm' is not an allow-listed maintenance action"):
        build_argv(action("rm", workstation="FTA01", path="/"))


@pytest.mark.parametrize(
    ("command", "arguments", "problem"),
    [
        ("clean_stdlist", {"workstation": "FTA01;reboot", "older_than_days": 10}, "workstation"),
        ("clean_stdlist", {"workstation": "FTA01", "older_than_days": 1}, "older_than_days"),
        ("clean_stdlist", {"workstation": "FTA01", "older_than_days": "10"}, "older_than_days"),
        ("clean_stdlist", {"workstation": "FTA01"}, "older_than_days"),
        (
            "clean_stdlist",
            {"workstation": "FTA01", "older_than_days": 10, "extra": "x"},
            "extra",
        ),
        (
            "resize_message_file",
            {"workstation": "FTA01", "message_file": "../../etc/passwd", "size_mb": 20},
            "message_file",
        ),
        (
            "extend_filesystem",
            {"workstation": "FTA01", "logical_volume": "/dev/sda1 /dev/sdb", "add_gb": 5},
            "logical_volume",
        ),
        ("move_jobs_off_workstation", {"workstation": "$(id)", "job_limit": 0}, "workstation"),
    ],
)
def test_invalid_arguments_are_refused_with_the_field_named(command, arguments, problem) -> None:
    with pytest.raises(ActionError, match=f"invalid arguments for {command}: {problem}"):
        build_argv(action(command, **arguments))


def test_the_catalogue_decides_auto_approval_not_the_proposal() -> None:
    claimed = action("extend_filesystem", auto_approvable=True, workstation="FTA01")
    assert not is_auto_approvable(claimed)
    assert is_auto_approvable(action("clean_stdlist", workstation="FTA01"))
    assert {name for name, entry in CATALOGUE.items() if entry.auto_approvable} == {
        "clean_stdlist",
        "resize_message_file",
    }


def test_action_ids_are_stable_per_workstation_kind_and_command() -> None:
    first = propose("FTA01", "disk_filling", "clean_stdlist", "clean", older_than_days=10)
    again = propose("FTA01", "disk_filling", "clean_stdlist", "clean", older_than_days=14)
    assert first.action_id == again.action_id == action_id("FTA01", "disk_filling", "clean_stdlist")
    assert first.action_id.startswith("clean_stdlist-")
    assert action_id("FTA02", "disk_filling", "clean_stdlist") != first.action_id
    assert action_id("FTA01", "memory_leak", "clean_stdlist") != first.action_id
    assert first.arguments == {"workstation": "FTA01", "older_than_days": 10}
    assert first.auto_approvable


def test_a_proposal_with_invalid_arguments_is_never_made() -> None:
    with pytest.raises(ActionError, match="size_mb"):
        propose("FTA01", "message_file_filling", "resize_message_file", "x", message_file="M.msg")


@pytest.mark.parametrize(
    ("command", "arguments", "title", "risk"),
    [
        (
            "clean_stdlist",
            {"workstation": "FTA001", "older_than_days": 10},
            "clean old job logs",
            "Risk (low): job logs older than 10 days are deleted for good",
        ),
        (
            "resize_message_file",
            {"workstation": "FTA001", "message_file": "Mailbox.msg", "size_mb": 60},
            "enlarge a message file",
            "Risk (low): Mailbox.msg may then take up to 60 MB of the FTA's disk",
        ),
        (
            "extend_filesystem",
            {"workstation": "FTA001", "logical_volume": "/dev/vg/tws", "add_gb": 15},
            "grow the file system",
            "Risk (medium): takes 15 GB of the volume group for good",
        ),
        (
            "move_jobs_off_workstation",
            {"workstation": "FTA001", "job_limit": 0},
            "stop new jobs",
            "Risk (medium): no new job starts on FTA001 until someone raises its limit again",
        ),
    ],
)
def test_each_command_tells_a_reviewer_its_name_and_risk(command, arguments, title, risk) -> None:
    proposed = action(command, **arguments)
    assert action_title(proposed) == title
    assert action_risk(proposed).startswith(risk)
    assert action_risk_level(proposed) == risk.split("(")[1].split(")")[0]
