"""Claims from a file into the database: an institution's claims recorded elsewhere (a billing system,
a day without the network) are imported in one go and then settled as a batch job.

The file is the `weijian settle` claims CSV (see csvio) with two differences: `person_id` is the
patient's scheme card number or ID number, and two optional columns carry the drug costs the monthly
statement checks (`drug_cost`, `off_formulary_drug_cost`). The institution's level, designation and
profit status come from the registry; a row whose columns say otherwise is refused. Every problem is
reported by row and column, and nothing is written unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from . import csvio, services
from .engine.money import fen_to_yuan, yuan_to_fen
from .models import Claim, Member

DRUG_COLUMNS = ("drug_cost", "off_formulary_drug_cost")
CLAIM_FIELDS = (*services.CLAIM_FACTS, *services.CLAIM_AMOUNTS)


AMOUNT = re.compile(r"\d+(\.\d{1,2})?")


@dataclass(frozen=True)
class ImportResult:
    claims: list[Claim]


def _split_drug_columns(text: str) -> tuple[str, list[dict[str, str]]]:
    """The text without the drug columns (for the contract reader) and those columns per row."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    if not rows:
        return text, []
    header = [name.strip() for name in rows[0]]
    keep = [i for i, name in enumerate(header) if name not in DRUG_COLUMNS]
    drugs = [
        {
            name: (row[i].strip() if i < len(row) else "")
            for i, name in enumerate(header)
            if name in DRUG_COLUMNS
        }
        for row in rows[1:]
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([row[i] if i < len(row) else "" for i in keep] + row[len(header) :])
    return out.getvalue(), drugs


def import_claims(user, institution, text: str) -> ImportResult:
    """Validate the whole file, then record every claim in one transaction (all or nothing)."""
    stripped, drugs = _split_drug_columns(text)
    parsed = csvio.parse_claims(stripped)  # raises ClaimsFileError naming row and column
    problems: list[csvio.Problem] = []
    identifiers = {claim.person_id for claim in parsed}
    members = {}
    for member in Member.objects.select_related("household__division").filter(
        Q(card_number__in=identifiers) | Q(id_number__in=identifiers)
    ):
        members[member.card_number] = member
        members[member.id_number] = member
    level = services.facility_level(institution)
    rows = []
    for row_number, (claim, drug) in enumerate(zip(parsed, drugs, strict=False), start=2):
        member = members.get(claim.person_id)
        if member is None:
            problems.append(
                csvio.Problem(row_number, "person_id", "no scheme member has this card or ID number")
            )
        if claim.facility_level != level:
            problems.append(
                csvio.Problem(row_number, "facility_level", f"the institution settles at level {level}")
            )
        if claim.designated != institution.insurance_designated or claim.for_profit != institution.for_profit:
            problems.append(
                csvio.Problem(
                    row_number, "designated", "designation and profit status come from the registry"
                )
            )
        amounts = {}
        for column in DRUG_COLUMNS:
            raw = drug.get(column, "") if drug else ""
            if raw and not AMOUNT.fullmatch(raw):
                problems.append(csvio.Problem(row_number, column, "must be yuan with at most 2 decimals"))
            else:
                amounts[column] = yuan_to_fen(raw) if raw else 0
        if amounts.get("off_formulary_drug_cost", 0) > amounts.get("drug_cost", 0):
            problems.append(csvio.Problem(row_number, "off_formulary_drug_cost", "exceeds drug_cost"))
        rows.append((claim, member, amounts))
    if problems:
        raise csvio.ClaimsFileError(problems)
    created = []
    with transaction.atomic():
        for claim, member, amounts in rows:
            fields = {name: getattr(claim, name) for name in CLAIM_FIELDS}
            for name in services.CLAIM_AMOUNTS:
                fields[name] = fen_to_yuan(fields[name])
            for name, fen in amounts.items():
                fields[name] = fen_to_yuan(fen)
            created.append(services.claim_enter(user, institution=institution, member=member, **fields))
    return ImportResult(claims=created)
