"""Idempotency-Key: the first answer to a POST or PATCH is kept 24 h per caller and key, and replayed.

A repeat with the same method, path and body gets the stored answer (header `Idempotent-Replayed:
true`); with a different body, 422; while the first is still running, 409. Answers of 5xx and
401/429 are not kept (the client should retry those), so a retry after them runs again.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import IdempotencyRecord

TTL = dt.timedelta(hours=24)
NOT_KEPT = {401, 429}


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


def idempotency_finish(*, record: IdempotencyRecord, status: int, content_type: str, body: bytes) -> None:
    if status >= 500 or status in NOT_KEPT:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        done=True, response_status=status, response_content_type=content_type[:100], response_body=body
    )


def idempotency_abandon(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def idempotency_purge_expired() -> int:
    return IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()[0]
