"""Money helpers: integer fen inside the engine, yuan as Decimal at the edges."""

from decimal import Decimal, InvalidOperation
from fractions import Fraction

FEN_PER_YUAN = 100


def yuan_to_fen(value: Decimal | str | int) -> int:
    """Convert a yuan amount to fen, refusing floats and sub-fen precision."""
    if isinstance(value, bool | float):
        raise ValueError(f"money must be Decimal, str or int, not {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a money amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a money amount: {value!r}")
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"more precise than one fen: {value!r}")
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def apply_share(amount_fen: int, share: Fraction) -> int:
    """amount × share rounded half-up to the fen (amounts here are never negative)."""
    if amount_fen < 0:
        raise ValueError("shares apply to non-negative amounts")
    exact = amount_fen * share
    return (2 * exact.numerator + exact.denominator) // (2 * exact.denominator)


def parse_percent(value: str) -> Fraction:
    """'75%' → Fraction(3, 4); exact, never through float."""
    text = value.strip()
    if not text.endswith("%"):
        raise ValueError(f"a percentage must end with '%': {value!r}")
    try:
        number = Decimal(text[:-1])
    except InvalidOperation:
        raise ValueError(f"not a percentage: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a percentage: {value!r}")
    return Fraction(number) / 100
