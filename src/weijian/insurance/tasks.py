"""Health-financing jobs that run as django-tasks tasks (in-process by default, see settings.TASKS).

`settle_entered_claims` settles, in discharge order, every entered claim of an institution: claims
imported from a file or entered while the settlement service was unreachable. Each claim is its own
transaction, so a retried job settles only what is still entered (claim_settle is idempotent).
Arguments are plain values so any backend can queue them.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from weijian.core.audit import acting_as
from weijian.core.errors import DomainError


@task()
def settle_entered_claims(institution_id: int, user_id: int | None = None, on: str | None = None) -> dict:
    from weijian.core.models import User

    from . import services
    from .models import Claim, ClaimState

    user = None if user_id is None else User.objects.get(pk=user_id)
    day = dt.date.fromisoformat(on) if on else None
    pending = Claim.objects.filter(institution_id=institution_id, state=ClaimState.ENTERED).order_by(
        "discharge_date", "number"
    )
    settled, refused = 0, []
    with acting_as(user, label="" if user else "settlement job"):
        for claim in pending.iterator():
            try:
                services.claim_settle(user, claim, on=day)
                settled += 1
            except DomainError as error:
                refused.append({"claim": claim.number, "code": error.code, "message": str(error.message)})
    return {"settled": settled, "refused": refused}
