"""What a reviewer and an auditor read: the review sheet, the form's description and the run's
summary, from findings and stored decisions, without Prefect or a database."""

import uuid
from datetime import UTC, date, datetime

from resync.db.models import MaintenanceActionExecution, MaintenanceReview
from resync.maintenance.actions import propose
from resync.maintenance.review_sheet import field_description, form_description, review_sheet
from resync.maintenance.run_summary import summary_markdown, summary_rows
from resync.maintenance.store import ActionDecisions
from resync.maintenance.types import Finding

DEADLINE = datetime(2026, 12, 7, 20, 48, tzinfo=UTC)
INSIGHT = {"insight": "One FTA fills its disk.", "analyst": "deterministic", "analyst_note": ""}
CLEAN = propose("FTA001", "disk_filling", "clean_stdlist", "Remove old stdlist", older_than_days=10)
EXTEND = propose(
    "FTA001",
    "disk_filling",
    "extend_filesystem",
    "Grow /dev/mapper/twsvg-twslv by 65 GB",
    logical_volume="/dev/mapper/twsvg-twslv",
    add_gb=65,
)
DISK = Finding(
    workstation="FTA001",
    kind="disk_filling",
    resource="disk_percent",
    predicted_failure_date=date(2026, 12, 24),
    confidence=0.9749,
    evidence_summary="disk_percent at 65.4 % growing 1.44 %/day",
    evidence={
        "threshold": 90.0,
        "peak_now": 65.4,
        "expected_days": 17.3,
        "earliest_date": "2026-12-21",
        "latest_date": "2026-12-30",
        "degradations": [],
        "jobs": [
            {
                "summary": "job ETL.EXTRACT_ORDERS slowed",
                "degradation": {
                    "kind": "job_slowdown",
                    "resource": "job:ETL.EXTRACT_ORDERS",
                    "detail": {"recent_median_seconds": 508.2, "baseline_median_seconds": 374.0},
                },
                "correlation": None,
            }
        ],
    },
    actions=[CLEAN, EXTEND],
)
FAILING_JOB = Finding(
    workstation="FTA002",
    kind="job_failures",
    resource="job:BILLING.RUN_INVOICES",
    predicted_failure_date=None,
    confidence=0.999,
    evidence_summary="job BILLING.RUN_INVOICES failed 6 of 20 recent runs",
    evidence={
        "degradations": [
            {
                "kind": "job_failures",
                "resource": "job:BILLING.RUN_INVOICES",
                "statistic": "failure_rate",
                "value": 0.3,
                "window": {"start": "2026-11-23T00:00:00Z", "end": "2026-12-07T00:00:00Z"},
                "detail": {"recent_failures": 6, "recent_runs": 20, "baseline_failure_rate": 0.02},
            }
        ]
    },
)


def test_the_sheet_says_what_fails_when_how_sure_and_what_each_action_risks() -> None:
    sheet = review_sheet(
        [DISK, FAILING_JOB], INSIGHT, [EXTEND.action_id], ["[API](http://x)"], DEADLINE, 28
    )

    plain, analysis = sheet.split("## The analysis in full")
    assert plain.startswith("# Review needed: 1 action on FTA001\n")
    assert "**Answer by Mon 07 Dec 2026 20:48 UTC**" in plain
    assert "### FTA001: the disk holding TWS fills up around Thu 24 Dec 2026" in plain
    assert (
        "- **When:** Thu 24 Dec 2026, in about 17 days (likely between 21 Dec and 30 Dec)" in plain
    )
    assert "- **How sure:** very likely: 97% chance it happens within 28 days" in plain
    assert "- **Now:** daily peak at 65 %, failure level 90 %" in plain
    assert "- **Already felt:** job ETL.EXTRACT_ORDERS takes 508 s (median), was 374 s" in plain
    assert "jobs there fail" in plain
    # The action to decide comes first, with its command and risk; the other says it runs alone.
    decide = plain.index("- **You decide: grow the file system.** Grow /dev/mapper/twsvg-twslv")
    alone = plain.index("- **Runs on its own (auto-approved): clean old job logs.**")
    assert decide < alone
    assert "`lvextend --resizefs --size +65G /dev/mapper/twsvg-twslv` on FTA001" in plain
    assert "Risk (medium): takes 65 GB of the volume group for good" in plain
    assert "Risk (low): job logs older than 10 days are deleted for good" in plain
    assert "### FTA002: job BILLING.RUN_INVOICES fails more and more" in plain
    assert "- **When:** already under way" in plain
    assert "very likely: 100% sure the trend is real, not chance" in plain
    assert "- **Now:** job BILLING.RUN_INVOICES failed 6 of its last 20 runs" in plain
    assert "No action proposed: for a person to look into." in plain
    assert "- [API](http://x)" in plain
    # The statistics follow, for whoever wants them.
    assert "One FTA fills its disk." in analysis and "| FTA001 | disk filling |" in analysis


def test_the_form_says_in_a_few_lines_what_is_asked_and_each_field_why() -> None:
    description = form_description([DISK, FAILING_JOB], [EXTEND.action_id], "../sheet", DEADLINE)

    asked, choices = description.split("\n\n")
    assert asked == (
        "Decide by **Mon 07 Dec 20:48 UTC** (no answer: rejected) · **[Evidence and each "
        "action's risk](../sheet)** · 1 other action auto-approved"
    )
    assert "**cannot decide** do not (cannot decide is not counted as a rejection)" in choices
    assert field_description(DISK, EXTEND) == (
        "Why: the disk holding TWS fills up around Thu 24 Dec, in about 17 days (very likely, "
        "97%). Runs `lvextend --resizefs --size +65G /dev/mapper/twsvg-twslv`. Risk: medium."
    )


def test_the_summary_lists_each_decision_with_its_reviewer_time_and_flow_run() -> None:
    receiving = uuid.uuid4()
    decisions = ActionDecisions(
        reviews={
            CLEAN.action_id: MaintenanceReview(
                action_id=CLEAN.action_id, decision="approved", source="auto_approved"
            ),
            EXTEND.action_id: MaintenanceReview(
                action_id=EXTEND.action_id,
                decision="deferred",
                source="reviewer",
                decided_by="Dana",
                comment="ask the\nstorage team",
                submitted_at=datetime(2026, 12, 7, 1, 55, 12, tzinfo=UTC),
                flow_run_id=receiving,
            ),
        },
        executions={
            CLEAN.action_id: MaintenanceActionExecution(
                action_id=CLEAN.action_id,
                argv=["rmstdlist", "10"],
                dry_run=True,
                finished_at=datetime(2026, 12, 7, 1, 55, 20, tzinfo=UTC),
                output="dry run: would run rmstdlist 10",
            )
        },
    )

    markdown = summary_markdown([DISK], INSIGHT, decisions, 28)

    assert markdown.startswith("# Predictive maintenance: 1 predicted problem, 2 actions\n")
    decisions_part = markdown.split("## Decisions\n\n")[1].split("## What will fail")[0]
    assert decisions_part.split("\n")[:4] == [
        f"Answered by **Dana**, submitted 2026-12-07 01:55:12 UTC to flow run "
        f"[{str(receiving)[:8]}](../../runs/flow-run/{receiving}): “ask the storage team”",
        "",
        "- **FTA001: clean old job logs**: auto-approved; dry run.",
        "- **FTA001: grow the file system**: cannot decide; not run.",
    ]
    assert summary_rows([DISK], decisions) == [
        {
            "FTA": "FTA001",
            "action": "clean old job logs",
            "decision": "auto-approved",
            "reviewer": "",
            "submitted (UTC)": "",
            "outcome": "dry run",
        },
        {
            "FTA": "FTA001",
            "action": "grow the file system",
            "decision": "cannot decide",
            "reviewer": "Dana",
            "submitted (UTC)": "2026-12-07 01:55",
            "outcome": "not run",
        },
    ]


def test_the_summary_says_when_nobody_answered_and_keeps_table_cells_short() -> None:
    timed_out = uuid.uuid4()
    decisions = ActionDecisions(
        reviews={
            CLEAN.action_id: MaintenanceReview(
                action_id=CLEAN.action_id,
                decision="approved",
                source="reviewer",
                decided_by="Dana Okafor of the night shift, second line",
            ),
            EXTEND.action_id: MaintenanceReview(
                action_id=EXTEND.action_id,
                decision="rejected",
                source="timeout_policy",
                flow_run_id=timed_out,
            ),
        },
        executions={
            CLEAN.action_id: MaintenanceActionExecution(
                action_id=CLEAN.action_id, argv=["rmstdlist", "10"], dry_run=False, finished_at=None
            )
        },
    )

    markdown = summary_markdown([DISK], INSIGHT, decisions, 28)
    rows = summary_rows([DISK], decisions)

    assert (
        f"Nobody answered flow run [{str(timed_out)[:8]}](../../runs/flow-run/{timed_out}) in "
        "time: the asked actions were rejected (timeout policy)." in markdown
    )
    assert "- **FTA001: grow the file system**: rejected (no answer in time); not run." in markdown
    assert [(row["decision"], row["reviewer"], row["outcome"]) for row in rows] == [
        ("approved", "Dana Okafor of the …", "died while running"),
        ("rejected (no answer in time)", "", "not run"),
    ]
