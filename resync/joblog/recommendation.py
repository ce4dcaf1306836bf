"""The suggested fix and the root-cause card an operator reads for one failed run.

The fix starts from what resolved the most similar past failure when an operator recorded it,
then the class's standard remedy. Confidence is the classification's, raised a little when the
FTA's resources corroborate the class, lowered when nothing was proven.
"""

from typing import Any

from resync.joblog.schemas import SimilarCase

REMEDIES = {
    "disk_full": "Free space on the file system named in the evidence (old stdlist and job "
    "output, temporary files) or extend it, then rerun the job.",
    "permission_denied": "Give the job's user the missing permission on the path or object in "
    "the evidence (or run the job as the owning user), then rerun.",
    "not_found": "Restore or correct the missing file, directory or command named in the "
    "evidence (check the job definition's path), then rerun.",
    "connection_failure": "Check that the remote host, port or database in the evidence is up "
    "and reachable from this FTA (firewall, DNS, listener), then rerun.",
    "database_error": "Have the database team look at the error code in the evidence "
    "(tablespace, constraint, locks, SQL), fix the cause, then rerun.",
    "out_of_memory": "Raise the job's memory limit (e.g. Java -Xmx, ulimit) or move it off "
    "this FTA's busy hours; check what else used memory at the failure time.",
    "timeout": "Find why this run took longer than usual (data volume, locks, a slow FTA); "
    "raise the job's maximum duration only if the longer run is expected.",
    "credentials_expired": "Renew the expired password, token or certificate in the job's "
    "credential store (TWS user definition, wallet, keystore), then rerun.",
    "dependency_not_satisfied": "Check the predecessor job or the input file in the "
    "evidence; rerun once it has completed or arrived.",
    "unknown": "No known cause was proven: read the evidence lines and the joblog, and record "
    "the real resolution so the next similar failure is recognised.",
}
CORROBORATED_BONUS = 0.05
RESOLVED_CASE_SIMILARITY = 0.5


def suggest_fix(failure_class: str, similar: list[SimilarCase]) -> str:
    """The past resolution of the most similar resolved failure, then the class's remedy."""
    resolved = next(
        (c for c in similar if c.resolution and c.similarity >= RESOLVED_CASE_SIMILARITY), None
    )
    remedy = REMEDIES[failure_class]
    if resolved is None:
        return remedy
    return (
        f"A similar failure ({resolved.job_name} on {resolved.workstation}, "
        f"{resolved.failed_at:%Y-%m-%d}, similarity {resolved.similarity:.2f}) was resolved by: "
        f"{resolved.resolution} — Otherwise: {remedy}"
    )


def card_confidence(classification: dict[str, Any], corroborating: list[str]) -> float:
    """The classification's confidence, a little higher when the resources corroborate it."""
    confidence = float(classification["confidence"])
    if classification["failure_class"] != "unknown" and corroborating:
        confidence = min(1.0, confidence + CORROBORATED_BONUS)
    return round(confidence, 2)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").replace("`", "'")


def card_markdown(card: dict[str, Any]) -> str:
    """The root-cause card as markdown for the Prefect UI."""
    lines = [
        f"## Failed job {_cell(card['job_name'])} on {_cell(card['workstation'])}",
        "",
        f"Run `{_cell(card['run_id'])}`, failed at {card['failed_at']}, "
        f"return code {card['return_code']}.",
        "",
        f"**Root cause: {card['failure_class']}** (confidence {card['confidence']:.2f}, "
        f"{card['method']}, analyst: {card['analyst']})",
        "",
        _cell(card["explanation"]),
        "",
        "### Evidence",
        "",
        "| line | text | source |",
        "|---:|---|---|",
        *(
            f"| {e['line']} | {_cell(e['text'])} | {_cell(e.get('source') or '—')} |"
            for e in card["evidence"]
        ),
        "",
        "### Resource state on the FTA",
        "",
        *(f"- {_cell(item)}" for item in card["resource_state"]["corroborating"]),
        f"- readings at failure: {_cell(card['resource_state']['at_failure'] or 'no samples')}",
        "",
        "### Similar past failures",
        "",
        "| run | job | failed | class | similarity | resolution |",
        "|---|---|---|---|---:|---|",
        *(
            f"| {_cell(c['run_id'])} | {_cell(c['job_name'])} | {c['failed_at']} | "
            f"{c['failure_class']} | {c['similarity']:.2f} | {_cell(c['resolution'] or '—')} |"
            for c in card["similar_cases"]
        ),
        "",
        "### Suggested fix",
        "",
        _cell(card["suggested_fix"]),
    ]
    if card.get("analyst_note"):
        lines += ["", f"_{_cell(card['analyst_note'])}_"]
    return "\n".join(lines) + "\n"
