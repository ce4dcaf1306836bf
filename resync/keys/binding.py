"""Keys bound to their FTAs: which workstations' samples a key may post."""

import re
from collections.abc import Collection, Iterable

from resync.db.models import ApiKey
from resync.ingest.payload import WORKSTATION_PATTERN


class WorkstationNotAllowed(Exception):
    """A key bound to some FTAs posted a sample of another."""

    def __init__(self, bound: Collection[str], refused: Iterable[str]) -> None:
        names = ", ".join(sorted(set(refused)))
        super().__init__(
            f"API key is bound to workstation(s) {', '.join(sorted(bound))}; "
            f"it may not post samples of {names}"
        )


def bind_to_workstations(record: ApiKey, names: Iterable[str]) -> None:
    """Let `record` post samples of `names` only (TWS names, stored upper-case)."""
    bound = sorted({name.upper() for name in names})
    invalid = [name for name in bound if not re.fullmatch(WORKSTATION_PATTERN, name)]
    if invalid:
        raise ValueError(
            f"{', '.join(invalid)} is not a TWS workstation name "
            "(a letter, then letters, digits, - or _, at most 16)"
        )
    record.workstations = bound or None


def check_workstations(bound: Collection[str] | None, posted: Iterable[str]) -> None:
    """Raise WorkstationNotAllowed when a key bound to `bound` posts samples of others."""
    if bound is None:
        return
    refused = [name for name in posted if name not in bound]
    if refused:
        raise WorkstationNotAllowed(bound, refused)
