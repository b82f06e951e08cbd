"""Idempotency-Key: the first answer to a POST or PATCH is kept 24 h per caller and key, and replayed.

A repeat with the same method, path and body gets the stored answer (header `Idempotent-Replayed:
true`); with a different body, 422; while the first is still running, 409. Answers of 5xx and
401/429 are not kept (the client should retry those), so a retry after them runs again.

The stored answer is the first answer whole: its body, and the headers in REPLAYED_HEADERS (a
firm's `ETag`, which a 412's `current_etag` repeats). A replay does not compute anything anew: its
ETag is the one of the first answer, as its body is, and an If-Match with it says whether the firm
changed since.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import IdempotencyRecord

TTL = dt.timedelta(hours=24)
NOT_KEPT = {401, 429}
REPLAYED_HEADERS = ("ETag", "Location")


def fingerprint(*, method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b"\n" + path.encode() + b"\n" + body).hexdigest()


def idempotency_begin(*, principal: str, key: str, fingerprint: str) -> tuple[str, IdempotencyRecord]:
    """("new", record) when this request runs; ("replay" | "mismatch" | "running", record) otherwise."""
    now = timezone.now()
    for _ in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    principal=principal, key=key, fingerprint=fingerprint, expires_at=now + TTL
                )
            return "new", record
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
            if record is None:
                continue  # deleted meanwhile
            if record.expires_at <= now:
                IdempotencyRecord.objects.filter(pk=record.pk, expires_at__lte=now).delete()
                continue
            if record.fingerprint != fingerprint:
                return "mismatch", record
            return ("replay" if record.done else "running"), record
    return "running", record


def idempotency_finish(
    *, record: IdempotencyRecord, status: int, content_type: str, body: bytes, headers: Mapping[str, str] | None = None
) -> None:
    """Keep the first answer (`headers`: those of REPLAYED_HEADERS it has), or forget the key after a 5xx/401/429."""
    if status >= 500 or status in NOT_KEPT:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    kept = {name: headers[name] for name in REPLAYED_HEADERS if headers is not None and name in headers}
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        done=True,
        response_status=status,
        response_content_type=content_type[:100],
        response_body=body,
        response_headers=kept,
    )


def idempotency_abandon(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def idempotency_purge_expired() -> int:
    return IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()[0]
