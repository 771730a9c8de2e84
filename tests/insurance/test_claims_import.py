"""Claims imported from a file: all or nothing, bad rows named, then settled by the batch job."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from weijian.insurance import selectors
from weijian.insurance.models import Claim, ClaimState, LedgerEntry

HEADER = "claim_id,person_id,claim_type,facility_level,admit_date,discharge_date,total,self_pay,drug_cost,off_formulary_drug_cost"


def _file(tmp_path, rows):
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _cards(financing):
    wang = financing.households["wang"].members.order_by("id")
    return [m.card_number for m in wang]


def test_import_then_settle_in_discharge_order(world, financing, tmp_path):
    first, second = _cards(financing)
    path = _file(
        tmp_path,
        [
            f"a,{first},inpatient,2,2026-04-01,2026-04-05,3000,0,1000,50",
            f"b,{first},inpatient,2,2026-02-01,2026-02-03,2000,0,,",
            f"c,{second},outpatient,2,2026-03-01,2026-03-01,100,0,60,0",
        ],
    )
    call_command("import_claims", str(path), "--institution", "示范县人民医院", "--settle")
    claims = {
        c.discharge_date: c for c in Claim.objects.filter(member__household=financing.households["wang"])
    }
    assert {c.state for c in claims.values()} == {ClaimState.SETTLED}
    february = selectors.active_settlement(claims[dt.date(2026, 2, 3)])
    april = selectors.active_settlement(claims[dt.date(2026, 4, 5)])
    # The February stay is the year's first at a level-2 hospital: it pays the 100 deductible; April does not.
    assert (february.deductible, april.deductible) == (Decimal("100.00"), Decimal("0.00"))
    assert claims[dt.date(2026, 4, 5)].off_formulary_drug_cost == Decimal("50.00")


def test_a_bad_row_is_named_and_nothing_is_imported(world, financing, tmp_path):
    first, _ = _cards(financing)
    path = _file(
        tmp_path,
        [
            f"a,{first},inpatient,2,2026-04-01,2026-04-05,3000,0,1000,50",
            "b,NO-SUCH-CARD,inpatient,2,2026-02-01,2026-02-03,2000,0,,",
            f"c,{first},inpatient,1,2026-03-01,2026-03-02,100,0,60,70",
        ],
    )
    entries = LedgerEntry.objects.count()
    with pytest.raises(CommandError) as raised:
        call_command("import_claims", str(path), "--institution", "示范县人民医院", "--settle")
    message = str(raised.value)
    assert "row 3, column person_id" in message
    assert "row 4, column facility_level" in message
    assert "row 4, column off_formulary_drug_cost" in message
    assert Claim.objects.count() == 0
    assert LedgerEntry.objects.count() == entries
