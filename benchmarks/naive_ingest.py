"""The naive ingest design, the baseline: ORM key lookup, insert and commit on every request."""

from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from resync.db.engine import get_engine
from resync.db.models import ApiKey, MetricsInbox
from resync.ingest.inbox import inbox_values
from resync.ingest.payload import MetricsPayload
from resync.keys.format import check_key_format, hash_key

app = FastAPI()


@app.post("/api/v1/metrics/workstation", status_code=202)
def create_workstation_metrics(
    payload: MetricsPayload, x_api_key: Annotated[str, Header()]
) -> dict[str, int]:
    check_key_format(x_api_key)
    with Session(get_engine()) as database:
        key = database.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(x_api_key))).first()
        if key is None or "metrics:write" not in key.scopes:
            raise HTTPException(status_code=401, detail="Invalid API key")
        # The ORM's JSON column takes the document as a dict.
        values = inbox_values(payload, "", key.id)
        values["api_key_id"] = key.id
        values["payload"] = payload.model_dump(mode="json")
        values["message_files"] = payload.tws.message_files if payload.tws else None
        row = MetricsInbox(**values)
        database.add(row)
        database.commit()
        return {"id": row.id}
