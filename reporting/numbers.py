"""Figures written the French way: 36 424 ; 50,7 % ; +19,7 % ; s for a masked cell."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

THOUSANDS = "\u202f"  # narrow no-break space, the French thousands separator
NBSP = "\u00a0"
MASKED = "s"
MISSING = "—"
NOT_SIGNIFICANT = "n.s."
RUPTURE = "rupture"


@dataclass(frozen=True)
class Cell:
    """One figure of the public layer: its value, or masked (statistical secrecy), or absent."""

    value: Decimal | None
    masked: bool = False

    @property
    def known(self) -> bool:
        return self.value is not None


ABSENT = Cell(None)


def cell(value, secret_row: bool) -> Cell:
    """A NULL in a row flagged secret is a masked cell; elsewhere it is an absent value."""
    if value is None:
        return Cell(None, masked=bool(secret_row))
    return Cell(Decimal(str(value)))


@dataclass(frozen=True)
class Format:
    decimales: int = 0
    suffixe: str = ""
    fraction: bool = False  # a 0-1 share written as a percentage

    def number(self, value: Decimal) -> str:
        if self.fraction:
            return f"{french(value * 100, self.decimales)}{NBSP}%"
        return french(value, self.decimales) + self.suffixe.replace(" ", NBSP)

    def __call__(self, figure: Cell) -> str:
        if figure.masked:
            return MASKED
        if not figure.known:
            return MISSING
        return self.number(figure.value)


def french(value: Decimal, decimals: int = 0) -> str:
    text = f"{shown(value, decimals):,.{decimals}f}"
    return text.replace(",", THOUSANDS).replace(".", ",").replace("-", "−")


def signed(value: Decimal, decimals: int, unit: str) -> str:
    sign = "+" if value > 0 else ""
    return f"{sign}{french(value, decimals)}{NBSP}{unit}"


@dataclass(frozen=True)
class Evolution:
    """The change from a base year to the report's year, as a person should read it."""

    text: str
    value: Decimal | None = None  # the change, when printed
    reason: str = ""  # why there is no change to print ("pas de donnée en 2019")


POINTS_DECIMALS = 1  # a rate is shown, and its change in points computed, to one decimal


def shown(value: Decimal, decimals: int) -> Decimal:
    """A figure rounded as the report prints it."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def evolution(base: Cell, current: Cell, mode: str, minimum_base: int,
              years: tuple[int, int] | None = None) -> Evolution:
    """The change from ``base`` to ``current``; ``years`` (base, current) says which year lacks a
    figure when there is none. A change in points is computed from the rounded figures shown,
    so that a reader who subtracts them finds it (73,0 → 77,5 : +4,5 pts)."""
    if base.masked or current.masked:
        return Evolution(MASKED)
    if not (base.known and current.known):
        return Evolution(MISSING, reason=missing_reason(base, current, years))
    if mode == "points":
        change = shown(current.value, POINTS_DECIMALS) - shown(base.value, POINTS_DECIMALS)
        return Evolution(signed(change, POINTS_DECIMALS, "pts"), change)
    if base.value < minimum_base:
        return Evolution(NOT_SIGNIFICANT)
    change = (current.value - base.value) / base.value * 100
    return Evolution(signed(change, 1, "%"), change)


def missing_reason(base: Cell, current: Cell, years: tuple[int, int] | None) -> str:
    if years is None:
        return "pas de donnée pour l'une des deux années"
    lacking = [str(year) for year, figure in zip(years, (base, current)) if not figure.known]
    return f"pas de donnée en {' ni en '.join(lacking)}"
