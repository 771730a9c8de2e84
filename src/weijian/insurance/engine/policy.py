"""Compensation policy as data: a TOML file parsed and validated into a frozen Policy."""

import datetime
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .money import parse_percent, yuan_to_fen

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"
DEMO_POLICY_PATH = POLICY_DIR / "demo-ncms.toml"

LEVELS = (1, 2, 3)
FEE_CLASSES = ("special_exam", "special_treatment", "blood", "special_material", "partial_items")
SPECIAL_GROUPS = ("wubao", "dibao", "disabled", "tekun", "orphan")
SWITCH_CHOICES = {
    "fee_class_reading": ("formula", "text"),
    "bracket_mode": ("whole", "marginal"),
    "inpatient_cap_period": ("year", "claim"),
    "tcm_uplift": ("points", "relative"),
    "transfer_chain_deductible": ("top_up", "first_only"),
    "formulary_denominator": ("drug_cost", "total_cost"),
}
PAYER_LEVELS = ("central", "region", "city", "county")
POVERTY_SWITCH_CHOICES = {
    # seed-003 R3 L137/L145 (9.5% of total cost, every admission) or R6 L277/L287 (5%, in-county and
    # referred admissions and chronic outpatient maintenance).
    "self_pay_cap_reading": ("r3", "r6"),
    # seed-003 R6 L277: yearly personal inpatient spending held to the poverty line, or no such limit.
    "annual_personal_cap": ("off", "poverty_line"),
}


class PolicyError(ValueError):
    """A policy file breaks a rule; `key` is the dotted path of the offending entry."""

    def __init__(self, key: str, rule: str):
        super().__init__(f"{key}: {rule}")
        self.key = key
        self.rule = rule


@dataclass(frozen=True)
class LevelRule:
    deductible: int  # fen
    ratio: Fraction


@dataclass(frozen=True)
class FeeShare:
    """Share of a fee class counted toward the pooled amount, optionally split at a bracket."""

    counted: Fraction
    bracket: int | None = None  # fen
    counted_above: Fraction | None = None


@dataclass(frozen=True)
class Switches:
    fee_class_reading: str
    bracket_mode: str
    inpatient_cap_period: str
    tcm_uplift: str
    transfer_chain_deductible: str
    formulary_denominator: str


@dataclass(frozen=True)
class Financing:
    """Contributions per enrolled person and where they go (篇6 §6.2, §6.3)."""

    individual: int  # fen per person per year
    civil_affairs_groups: frozenset[str]  # groups whose personal share the civil-affairs fund pays
    subsidy: MappingProxyType  # government level → fen per enrolled person
    individual_to_outpatient: Fraction  # share of personal and collective money for outpatient pooling
    deadline_month: int  # collection closes on this day of the year before the coverage year
    deadline_day: int

    @property
    def subsidy_per_person(self) -> int:
        return sum(self.subsidy.values())

    def deadline(self, coverage_year: int) -> datetime.date:
        return datetime.date(coverage_year - 1, self.deadline_month, self.deadline_day)


@dataclass(frozen=True)
class PovertySwitches:
    self_pay_cap_reading: str  # r3 | r6
    annual_personal_cap: str  # off | poverty_line


@dataclass(frozen=True)
class SeriousIllnessRule:
    """Serious-illness insurance (大病保险) on the cost basic insurance leaves (seed-003 R3 L135)."""

    deductible: int  # fen, per person-year
    ratio: Fraction
    poor_deductible: int
    poor_ratio: Fraction
    annual_cap: int


@dataclass(frozen=True)
class CappedShare:
    """A share of what is left, limited per person and year."""

    ratio: Fraction
    annual_cap: int  # fen


@dataclass(frozen=True)
class MajorDiseaseSplit:
    """Fixed split of a major-disease admission's total cost (seed-003 R3 L139); the patient pays the rest."""

    insurance: Fraction  # basic + serious-illness insurance together
    supplementary: Fraction


@dataclass(frozen=True)
class PovertyRules:
    """The one-stop layers for the registered poor (seed-003 §2.11, §4.7), in the order they pay."""

    switches: PovertySwitches
    deductible_waived_levels: frozenset[int]  # facility levels where the poor pay no inpatient deductible
    serious_illness: SeriousIllnessRule
    supplementary_ratio: Fraction
    assistance: CappedShare
    funds: CappedShare
    funds_diseases: frozenset[str]
    waiver_levels: frozenset[int]
    waiver_outpatient: int  # fen per outpatient visit
    waiver_inpatient: int  # fen per admission
    self_pay_cap: Fraction  # of total cost, reading r3
    in_county_cap: Fraction  # of total cost, reading r6
    poverty_line: int  # fen per person-year
    major_diseases: tuple[str, ...]  # in the file's order
    major_splits: MappingProxyType  # facility level → MajorDiseaseSplit

    def self_pay_share(self) -> Fraction:
        return self.in_county_cap if self.switches.self_pay_cap_reading == "r6" else self.self_pay_cap


@dataclass(frozen=True)
class Policy:
    code: str
    name: str
    source: str
    valid_from: datetime.date
    valid_to: datetime.date
    switches: Switches
    levels: MappingProxyType  # int level → LevelRule
    inpatient_cap: int
    first_admission_min_level: int
    transfer_window_days: int
    fee_classes: MappingProxyType  # fee class → FeeShare, per the fee_class_reading switch
    no_deductible_groups: frozenset[str]
    tcm_dominant_share: Fraction
    tcm_uplift: Fraction
    hepatitis_diseases: frozenset[str]
    hepatitis_standard_level: int
    delivery_normal: int
    cataract_per_eye: int
    outpatient_ratio: Fraction
    outpatient_annual_cap: int
    tcm_outpatient_ratio: Fraction
    tcm_outpatient_claim_cap: int
    chronic_ratio: Fraction
    chronic_quotas: MappingProxyType  # disease → yearly quota in fen
    financing: Financing
    formulary_limits: MappingProxyType  # facility level → largest out-of-formulary drug share
    # The one-stop layers for the poor; None for a policy of basic insurance only.
    poverty: PovertyRules | None = None


class _Table:
    """A TOML table read with its dotted key path, so every error names the key."""

    def __init__(self, data: Any, path: str):
        if not isinstance(data, dict):
            raise PolicyError(path or "<root>", "must be a table")
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def raw(self, name: str) -> Any:
        if name not in self.data:
            raise PolicyError(self.key(name), "is required")
        self.used.add(name)
        return self.data[name]

    def table(self, name: str) -> "_Table":
        return _Table(self.raw(name), self.key(name))

    def text(self, name: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(self.key(name), "must be a non-empty string")
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.raw(name)
        if value not in choices:
            raise PolicyError(self.key(name), f"must be one of {', '.join(choices)}")
        return value

    def date(self, name: str) -> datetime.date:
        value = self.raw(name)
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise PolicyError(self.key(name), "must be a date such as 2010-01-01")
        return value

    def integer(self, name: str, minimum: int = 0) -> int:
        value = self.raw(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise PolicyError(self.key(name), f"must be an integer ≥ {minimum}")
        return value

    def money(self, name: str) -> int:
        """Yuan as an integer or a decimal string, returned in fen; floats are refused."""
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise PolicyError(self.key(name), "money must be an integer or a string of yuan, never a float")
        try:
            fen = yuan_to_fen(value)
        except ValueError as error:
            raise PolicyError(self.key(name), str(error)) from None
        if fen < 0:
            raise PolicyError(self.key(name), "money must not be negative")
        return fen

    def share(self, name: str, maximum: Fraction = Fraction(1)) -> Fraction:
        value = self.raw(name)
        if not isinstance(value, str):
            raise PolicyError(self.key(name), 'a share must be a percentage string such as "75%"')
        try:
            share = parse_percent(value)
        except ValueError as error:
            raise PolicyError(self.key(name), str(error)) from None
        if not 0 <= share <= maximum:
            raise PolicyError(self.key(name), f"must be between 0% and {maximum * 100}%")
        return share

    def levels(self, name: str) -> frozenset[int]:
        value = self.raw(name)
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) and item in LEVELS for item in value
        ):
            raise PolicyError(self.key(name), "must be a list of facility levels (1, 2, 3)")
        return frozenset(value)

    def names(self, name: str, allowed: tuple[str, ...] | None = None) -> frozenset[str]:
        value = self.raw(name)
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise PolicyError(self.key(name), "must be a list of names")
        if allowed is not None:
            unknown = sorted(set(value) - set(allowed))
            if unknown:
                raise PolicyError(self.key(name), f"unknown names {unknown}; allowed: {', '.join(allowed)}")
        return frozenset(value)

    def done(self) -> None:
        """Refuse keys the loader does not know, so a misspelt rule cannot be silently ignored."""
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise PolicyError(self.key(unknown[0]), "is not a known policy key")


def _fee_share(table: _Table) -> FeeShare:
    counted = table.share("counted")
    if "bracket" not in table.data and "counted_above" not in table.data:
        table.done()
        return FeeShare(counted=counted)
    bracket = table.money("bracket")
    counted_above = table.share("counted_above")
    table.done()
    return FeeShare(counted=counted, bracket=bracket, counted_above=counted_above)


def _fee_table(table: _Table) -> MappingProxyType:
    shares = {fee_class: _fee_share(table.table(fee_class)) for fee_class in FEE_CLASSES}
    table.done()
    return MappingProxyType(shares)


def _financing(table: _Table) -> Financing:
    individual = table.money("individual")
    civil_affairs_groups = table.names("civil_affairs_groups", SPECIAL_GROUPS)
    subsidy_table = table.table("subsidy")
    subsidy = {level: subsidy_table.money(level) for level in PAYER_LEVELS}
    subsidy_table.done()
    individual_to_outpatient = table.share("individual_to_outpatient")
    deadline = table.text("collection_deadline")
    try:
        month, day = (int(part) for part in deadline.split("-"))
        datetime.date(2001, month, day)
    except ValueError:
        raise PolicyError(
            table.key("collection_deadline"), 'must be a month and day such as "12-31"'
        ) from None
    table.done()
    return Financing(
        individual=individual,
        civil_affairs_groups=civil_affairs_groups,
        subsidy=MappingProxyType(subsidy),
        individual_to_outpatient=individual_to_outpatient,
        deadline_month=month,
        deadline_day=day,
    )


def _poverty(table: _Table) -> PovertyRules:
    switches_table = table.table("switches")
    switches = PovertySwitches(
        **{name: switches_table.choice(name, choices) for name, choices in POVERTY_SWITCH_CHOICES.items()}
    )
    switches_table.done()

    basic = table.table("basic")
    deductible_waived_levels = basic.levels("deductible_waived_levels")
    basic.done()

    serious = table.table("serious_illness")
    serious_illness = SeriousIllnessRule(
        deductible=serious.money("deductible"),
        ratio=serious.share("ratio"),
        poor_deductible=serious.money("poor_deductible"),
        poor_ratio=serious.share("poor_ratio"),
        annual_cap=serious.money("annual_cap"),
    )
    serious.done()

    supplementary = table.table("supplementary")
    supplementary_ratio = supplementary.share("ratio")
    supplementary.done()

    capped = {}
    for layer in ("assistance", "funds"):
        layer_table = table.table(layer)
        capped[layer] = CappedShare(
            ratio=layer_table.share("ratio"), annual_cap=layer_table.money("annual_cap")
        )
        if layer == "funds":
            funds_diseases = layer_table.names("diseases")
        layer_table.done()

    waiver = table.table("waiver")
    waiver_levels = waiver.levels("levels")
    waiver_outpatient, waiver_inpatient = waiver.money("outpatient"), waiver.money("inpatient")
    waiver.done()

    backstop = table.table("backstop")
    self_pay_cap, in_county_cap = backstop.share("self_pay_cap"), backstop.share("in_county_cap")
    poverty_line = backstop.money("poverty_line")
    backstop.done()

    major = table.table("major_diseases")
    major.names("codes")
    major_diseases = tuple(dict.fromkeys(major.data["codes"]))  # file order, for lists shown to users
    split_table = major.table("split")
    splits = {}
    for key in split_table.data:
        if key not in ("1", "2", "3"):
            raise PolicyError(split_table.key(key), "must be a facility level 1, 2 or 3")
        rule = split_table.table(key)
        split = MajorDiseaseSplit(
            insurance=rule.share("insurance"), supplementary=rule.share("supplementary")
        )
        if split.insurance + split.supplementary > 1:
            raise PolicyError(rule.key("supplementary"), "insurance and supplementary exceed 100%")
        rule.done()
        splits[int(key)] = split
    split_table.done()
    major.done()

    table.done()
    return PovertyRules(
        switches=switches,
        deductible_waived_levels=deductible_waived_levels,
        serious_illness=serious_illness,
        supplementary_ratio=supplementary_ratio,
        assistance=capped["assistance"],
        funds=capped["funds"],
        funds_diseases=funds_diseases,
        waiver_levels=waiver_levels,
        waiver_outpatient=waiver_outpatient,
        waiver_inpatient=waiver_inpatient,
        self_pay_cap=self_pay_cap,
        in_county_cap=in_county_cap,
        poverty_line=poverty_line,
        major_diseases=major_diseases,
        major_splits=MappingProxyType(splits),
    )


def read_policy_file(code: str) -> dict:
    """The parsed TOML of the built-in policy named `code` (the default resolver of `extends`)."""
    path = POLICY_DIR / f"{code}.toml"
    if not path.is_file():
        raise PolicyError("policy.extends", f"no built-in policy named {code}")
    return _read_toml(path)


def _merged(base: dict, override: dict) -> dict:
    """`override` laid over `base`: tables merge key by key, any other value of `override` wins."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def resolve_extends(data: dict, resolve: Callable[[str], dict] | None = None) -> dict:
    """The document with the policies it extends merged beneath it; its own [policy] table is kept whole."""
    resolve = resolve or read_policy_file
    seen: list[str] = []
    while isinstance(data.get("policy"), dict) and "extends" in data["policy"]:
        meta = dict(data["policy"])
        base_code = meta.pop("extends")
        if not isinstance(base_code, str) or not base_code.strip():
            raise PolicyError("policy.extends", "must be the code of another policy")
        if base_code in seen or base_code == meta.get("code"):
            raise PolicyError("policy.extends", f"policies extend each other in a circle through {base_code}")
        seen.append(base_code)
        try:
            base = resolve(base_code)
        except PolicyError:
            raise
        except (LookupError, OSError) as error:
            raise PolicyError("policy.extends", f"cannot read policy {base_code}: {error}") from None
        if not isinstance(base, dict):
            raise PolicyError("policy.extends", f"policy {base_code} is not a table")
        base_meta = base.get("policy") if isinstance(base.get("policy"), dict) else {}
        merged = _merged({key: value for key, value in base.items() if key != "policy"}, data)
        # The base's own `extends` carries on the chain; its other meta is replaced by this file's.
        if "extends" in base_meta:
            meta["extends"] = base_meta["extends"]
        merged["policy"] = meta
        data = merged
    return data


def parse_policy(data: dict, resolve: Callable[[str], dict] | None = None) -> Policy:
    """Validate a parsed policy document; raise PolicyError naming the first bad key.

    A document whose [policy] table names `extends = "<code>"` is laid over that policy (resolve(code)
    returns its parsed document; by default the built-in file of that name): tables merge key by key,
    this document wins, and its [policy] table is its own.
    """
    data = resolve_extends(data, resolve)
    root = _Table(data, "")

    meta = root.table("policy")
    code, name, source = meta.text("code"), meta.text("name"), meta.text("source")
    valid_from, valid_to = meta.date("valid_from"), meta.date("valid_to")
    if valid_to < valid_from:
        raise PolicyError("policy.valid_to", "must not be before policy.valid_from")
    meta.done()

    switches_table = root.table("switches")
    switches = Switches(
        **{name: switches_table.choice(name, choices) for name, choices in SWITCH_CHOICES.items()}
    )
    switches_table.done()

    inpatient = root.table("inpatient")
    cap = inpatient.money("cap")
    first_admission_min_level = inpatient.integer("first_admission_min_level", minimum=1)
    if first_admission_min_level not in LEVELS:
        raise PolicyError("inpatient.first_admission_min_level", "must be 1, 2 or 3")
    transfer_window_days = inpatient.integer("transfer_window_days")
    levels_table = inpatient.table("levels")
    levels = {}
    for level in LEVELS:
        rule = levels_table.table(str(level))
        levels[level] = LevelRule(deductible=rule.money("deductible"), ratio=rule.share("ratio"))
        rule.done()
    levels_table.done()
    inpatient.done()

    fee_tables = root.table("fee_classes")
    readings = {
        reading: _fee_table(fee_tables.table(reading)) for reading in SWITCH_CHOICES["fee_class_reading"]
    }
    fee_tables.done()

    groups = root.table("special_groups")
    no_deductible_groups = groups.names("no_deductible", SPECIAL_GROUPS)
    groups.done()

    tcm = root.table("tcm")
    tcm_dominant_share = tcm.share("dominant_share")
    tcm_uplift = tcm.share("uplift")
    tcm.done()

    hepatitis = root.table("specialist_hepatitis")
    hepatitis_diseases = hepatitis.names("diseases")
    hepatitis_standard_level = hepatitis.integer("standard_level", minimum=1)
    if hepatitis_standard_level not in LEVELS:
        raise PolicyError("specialist_hepatitis.standard_level", "must be 1, 2 or 3")
    hepatitis.done()

    flat = root.table("flat_rates")
    delivery_normal, cataract_per_eye = flat.money("delivery_normal"), flat.money("cataract_per_eye")
    flat.done()

    outpatient = root.table("outpatient")
    outpatient_ratio, outpatient_annual_cap = outpatient.share("ratio"), outpatient.money("annual_cap")
    outpatient.done()

    tcm_outpatient = root.table("tcm_outpatient")
    tcm_outpatient_ratio = tcm_outpatient.share("ratio")
    tcm_outpatient_claim_cap = tcm_outpatient.money("claim_cap")
    tcm_outpatient.done()

    chronic = root.table("chronic")
    chronic_ratio = chronic.share("ratio")
    quota_table = chronic.table("annual_quota")
    chronic_quotas = {disease: quota_table.money(disease) for disease in quota_table.data}
    if not chronic_quotas:
        raise PolicyError("chronic.annual_quota", "must list at least one disease")
    quota_table.done()
    chronic.done()

    financing = _financing(root.table("financing"))

    formulary = root.table("formulary")
    limits_table = formulary.table("limits")
    formulary_limits = {level: limits_table.share(str(level)) for level in LEVELS}
    limits_table.done()
    formulary.done()

    poverty = _poverty(root.table("poverty")) if "poverty" in root.data else None

    root.done()
    return Policy(
        code=code,
        name=name,
        source=source,
        valid_from=valid_from,
        valid_to=valid_to,
        switches=switches,
        levels=MappingProxyType(levels),
        inpatient_cap=cap,
        first_admission_min_level=first_admission_min_level,
        transfer_window_days=transfer_window_days,
        fee_classes=readings[switches.fee_class_reading],
        no_deductible_groups=no_deductible_groups,
        tcm_dominant_share=tcm_dominant_share,
        tcm_uplift=tcm_uplift,
        hepatitis_diseases=hepatitis_diseases,
        hepatitis_standard_level=hepatitis_standard_level,
        delivery_normal=delivery_normal,
        cataract_per_eye=cataract_per_eye,
        outpatient_ratio=outpatient_ratio,
        outpatient_annual_cap=outpatient_annual_cap,
        tcm_outpatient_ratio=tcm_outpatient_ratio,
        tcm_outpatient_claim_cap=tcm_outpatient_claim_cap,
        chronic_ratio=chronic_ratio,
        chronic_quotas=MappingProxyType(chronic_quotas),
        financing=financing,
        formulary_limits=MappingProxyType(formulary_limits),
        poverty=poverty,
    )


def _read_toml(path: Path | str) -> dict:
    with open(path, "rb") as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise PolicyError("<file>", f"not valid TOML: {error}") from None


def load_policy(path: Path | str, resolve: Callable[[str], dict] | None = None) -> Policy:
    return parse_policy(_read_toml(path), resolve)


def load_policy_text(text: str, resolve: Callable[[str], dict] | None = None) -> Policy:
    """A policy from TOML text (e.g. a stored version); `resolve(code)` returns the parsed document of a
    policy it extends, by default the built-in file of that name."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError("<file>", f"not valid TOML: {error}") from None
    return parse_policy(data, resolve)


def demo_policy() -> Policy:
    return load_policy(DEMO_POLICY_PATH)
