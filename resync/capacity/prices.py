"""Price sheets: what a month of one vCPU, one GB of memory and one GB of disk added to an FTA
host costs, in one currency, and where those figures come from.

FTAs run on the customer's own servers or virtual machines, so the default sheet is an
on-premises VM rate card (a university data centre's published chargeback rates for VMware
virtual servers), not a public cloud's list prices; `aws-fargate` is there for estates that do
run their agents in containers on AWS. An estate with its own rate card writes it as a JSON file
of the same fields and points `RESYNC_CAPACITY_PRICE_SHEET` at it.
"""

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_SHEET = "on-premises-vm"


class PriceSheet(BaseModel):
    """Monthly prices per unit added, in `currency`, and their `source`."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    currency: str = Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    vcpu_month: float = Field(ge=0)
    memory_gb_month: float = Field(ge=0)
    disk_gb_month: float = Field(ge=0)
    source: str = Field(min_length=1)

    def describe(self, default: bool) -> str:
        """One sentence for the report: the sheet, its prices and their source."""
        which = "the default sheet" if default else "set by RESYNC_CAPACITY_PRICE_SHEET"
        return (
            f"price sheet {self.name} ({which}), {self.currency} a month: "
            f"{self.vcpu_month:g} per vCPU, {self.memory_gb_month:g} per GB of memory, "
            f"{self.disk_gb_month:g} per GB of disk; source: {self.source}"
        )


BUILT_IN_SHEETS = {
    sheet.name: sheet
    for sheet in (
        PriceSheet(
            name="on-premises-vm",
            currency="USD",
            vcpu_month=4.00,
            memory_gb_month=2.00,
            disk_gb_month=0.11,
            source="UC Berkeley IST virtual private server rates (VMware): $4.00 per additional "
            "vCPU, $2.00 per additional GB of RAM and $0.11 per GB of performance-tier storage "
            "a month (berkeley.service-now.com, knowledge article KB0011737)",
        ),
        PriceSheet(
            name="aws-fargate",
            currency="USD",
            vcpu_month=29.55,
            memory_gb_month=3.24,
            disk_gb_month=0.08,
            source="AWS on-demand list prices, us-east-1, as of 2026-06: Fargate Linux/x86 "
            "$0.04048 per vCPU-hour and $0.004445 per GB-hour × 730 h "
            "(aws.amazon.com/fargate/pricing), EBS gp3 $0.08 per GB-month "
            "(aws.amazon.com/ebs/pricing)",
        ),
    )
}


# Read once per process like the settings that name it: sizing asks for it once per series.
@cache
def load_price_sheet(setting: str) -> PriceSheet:
    """The built-in sheet named `setting`, else the JSON sheet at that path."""
    if setting in BUILT_IN_SHEETS:
        return BUILT_IN_SHEETS[setting]
    path = Path(setting)
    if not path.is_file():
        raise ValueError(
            f"price sheet {setting!r} is neither a built-in sheet "
            f"({', '.join(BUILT_IN_SHEETS)}) nor a file; give one of those or the path of a "
            "JSON sheet with name, currency, vcpu_month, memory_gb_month, disk_gb_month, source"
        )
    try:
        return PriceSheet.model_validate_json(path.read_bytes())
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'sheet'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ValueError(f"price sheet {path} is not a valid sheet: {problems}") from None
