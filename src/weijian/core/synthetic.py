"""Synthetic but checksum-valid codes, for the demo county and for tests."""

from __future__ import annotations

import datetime as dt

from .validators import CREDIT_ALPHABET, credit_code_check_char, id_number_check_char


def id_number(area_code: str, birth: dt.date, sequence: int) -> str:
    """A resident ID number: 6-digit area, birth date, 3-digit sequence (odd = male), check character."""
    body = f"{area_code[:6]}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + id_number_check_char(body)


def credit_code(area_code: str, serial: int, *, authority: str = "1", kind: str = "2") -> str:
    """A unified social credit code: authority, kind, 6-digit area, 9-character organisation code, check.

    Default authority 1 / kind 2 is a public institution (事业单位); use 9/1 for an enterprise and
    5/2 for a private non-enterprise unit (民办非企业单位, e.g. a private hospital).
    """
    digits = []
    n = serial
    for _ in range(9):
        n, r = divmod(n, len(CREDIT_ALPHABET))
        digits.append(CREDIT_ALPHABET[r])
    body = f"{authority}{kind}{area_code[:6]}{''.join(reversed(digits))}"
    return body + credit_code_check_char(body)
