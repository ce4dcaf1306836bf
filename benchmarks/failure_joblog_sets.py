"""The labelled joblog sets of the failure classification benchmark.

Regression sets: seeded variations of `data/failure_joblog_templates.json` (every class in
English and Portuguese inside TWS joblog frames, often after an error the job recovered from)
with the hand-written cases of `data/failure_joblogs_unusual.json`;
`data/failure_joblogs_holdout.json`; the first blind set `data/joblogs_blind.jsonl` (tuned on
since). Evaluation sets, never read while the classifier was built:
`data/joblogs_blind_b.jsonl` … `data/joblogs_blind_e.jsonl` (each written from the labelling guide
alone by a writer who never read the classifier) and `data/joblogs_public.jsonl`,
`data/joblogs_public_b.jsonl` and `data/joblogs_public_c.jsonl` (real error text from public
sources in TWS frames), each split into `eval` and `heldout` rows.
"""

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

DATA = Path(__file__).parent / "data"
TEMPLATES = json.loads((DATA / "failure_joblog_templates.json").read_text())
UNUSUAL = json.loads((DATA / "failure_joblogs_unusual.json").read_text())
HOLDOUT = json.loads((DATA / "failure_joblogs_holdout.json").read_text())
EVALUATION_SETS = {
    "blind_b": "joblogs_blind_b.jsonl",
    "blind_c": "joblogs_blind_c.jsonl",
    "blind_d": "joblogs_blind_d.jsonl",
    "blind_e": "joblogs_blind_e.jsonl",
    "public": "joblogs_public.jsonl",
    "public_b": "joblogs_public_b.jsonl",
    "public_c": "joblogs_public_c.jsonl",
}


def jsonl_set(name: str) -> list[dict[str, object]]:
    """The cases of a JSON-lines set (`id`, `text`, `expected`, `source`, optional `split`)."""
    cases = []
    for number, line in enumerate((DATA / name).read_text().splitlines(), 1):
        row = json.loads(line)
        missing = {"id", "text", "expected"} - set(row)
        if missing:
            raise SystemExit(f"{name} line {number} lacks {sorted(missing)}; it has {sorted(row)}")
        cases.append(
            {
                "id": row["id"],
                "joblog": row["text"],
                "label": row["expected"],
                "covered": row["expected"] != "unknown",
                "source": row.get("source", name),
                "split": row.get("split", "eval"),
            }
        )
    return cases


def _fields(rng: random.Random) -> dict[str, str]:
    job = rng.choice(["LOAD_SALES", "EXTRACT_GL", "CARGA_VENDAS", "BKP_DB", "FECHA_CAIXA"])
    table = rng.choice(["SALES", "LEDGER", "CLIENTES", "PEDIDOS"])
    return {
        "job": job,
        "job_l": job.lower(),
        "other": rng.choice(["EXTRACT_FEED", "RECEBE_ARQ", "SORT_IN"]),
        "stream": rng.choice(["FINANCE", "VENDAS", "NIGHTLY"]),
        "path": rng.choice(["/data/in", "/dados/entrada", "/opt/tws/work"])
        + f"/{job.lower()}_{rng.randint(20260101, 20261231)}.csv",
        "path2": f"/archive/{rng.randint(1, 99)}/",
        "mount": rng.choice(["/data", "/dados", "/opt/tws/stdlist"]),
        "script": f"/opt/batch/bin/{job.lower()}.sh",
        "host": rng.choice(["db01.corp", "sap-prd", "ftp.parceiro.com.br", "10.2.3.4"]),
        "ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "port": str(rng.choice([1521, 5432, 50000, 22, 443])),
        "user": rng.choice(["twsuser", "batch", "etl_svc"]),
        "schema": rng.choice(["FIN", "DW"]),
        "table": table,
        "table_l": table.lower(),
        "klass": rng.choice(["Loader", "Exporter", "Reconciler"]),
        "pid": str(rng.randint(1000, 99999)),
        "proc": rng.choice(["java", "python3", "sqlldr"]),
        "n": str(rng.randint(10, 2_000_000)),
        "n2": str(rng.randint(2, 900)),
        "minutes": str(rng.choice([30, 60, 120])),
        "dur": rng.choice(["01:00", "02:30", "00:45"]),
        "when": "2026-11-27T03:00:00Z",
        "date": "2026-11-26",
        "step": rng.choice(["LOAD", "EXPORT", "CARGA"]),
    }


def _joblog(rng: random.Random, language: str, failure: str, rc: int) -> str:
    fields = _fields(rng)
    start = datetime(2026, 11, 27, 2, 0, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600))
    head = [
        "=" * 63,
        f"= JOB       : WS-PROD-0{rng.randint(1, 9)}#{fields['stream']}[(0200 11/27/26),"
        f"(0AAAAAAAAAAA{rng.randint(10, 99)})].{fields['job']}",
        f"= USER      : {fields['user']}",
        f"= JCLFILE   : {fields['script']}",
        f"= Job Number: {rng.randint(10000, 99999)}",
        f"= {start:%a %m/%d/%y %H:%M:%S} UTC",
        "=" * 63,
    ]
    noise = TEMPLATES["noise"][language]
    body = [rng.choice(noise) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.5:
        body += list(rng.choice(TEMPLATES["recovered"][language]))
        body += [rng.choice(noise) for _ in range(rng.randint(1, 3))]
    body.append(failure)
    if rng.random() < 0.4:
        body.append(rng.choice(TEMPLATES["wrapper"][language]))
    tail = [
        "=" * 63,
        f"= Exit Status           : {rc}",
        f"= Elapsed Time (hh:mm:ss) : 00:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        "=" * 63,
    ]
    return "\n".join(head + body + tail).format(**fields) + "\n"


def labelled_set(per_template: int, seed: int) -> list[dict[str, object]]:
    """(joblog, label, covered, source) cases: generated variations, then the unusual ones."""
    rng = random.Random(seed)
    cases = []
    for label, languages in TEMPLATES["covered"].items():
        for language, failures in languages.items():
            for failure in failures:
                for _ in range(per_template):
                    log = _joblog(rng, language, failure, rng.choice([1, 2, 4, 8, 12, 137]))
                    cases.append(
                        {
                            "joblog": log,
                            "label": label,
                            "covered": True,
                            "source": f"generated-{language}",
                        }
                    )
    for language, failures in TEMPLATES["uncovered"].items():
        for failure in failures:
            for _ in range(per_template):
                log = _joblog(rng, language, failure, rng.choice([1, 4, 8, 139]))
                cases.append(
                    {
                        "joblog": log,
                        "label": "unknown",
                        "covered": False,
                        "source": f"generated-{language}",
                    }
                )
    cases += [{**case, "source": "hand-written"} for case in UNUSUAL]
    return cases
