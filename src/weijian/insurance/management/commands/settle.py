"""`weijian settle --policy CODE --claims FILE --out FILE [--explain FILE]`.

Settles a year of claims with the named policy (a file in the policies folder, named by its stem).
The file formats are described in weijian.insurance.csvio. A bad claims file is reported cell by cell
and nothing is written; the output and explanation files are written together or not at all.

Without --explain the file is read and settled column by column (engine.batch), fast enough for a
county's year of claims; with --explain each claim is settled one at a time (engine.scalar), since the
explanation is each claim's own steps. Both give the same settlements file byte for byte.

A policy with the one-stop layers for the poor (e.g. demo-poverty) reads the optional columns poor,
major_disease and over_treatment, refuses a major_disease code not on its list (row and column named),
and writes each layer after the usual columns: basic, serious_illness, supplementary, assistance, funds,
waiver, backstop, hospital_borne; patient_pays is then what is left after all of them.
"""

import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from weijian.insurance import csvio
from weijian.insurance.engine.batch import settle_batch
from weijian.insurance.engine.money import fen_to_yuan
from weijian.insurance.engine.policy import POLICY_DIR, PolicyError, load_policy
from weijian.insurance.engine.scalar import settle_year


class Command(BaseCommand):
    # A file-to-file command: it needs neither the database nor the URLs that the system checks load,
    # and the checks would take about a second of every run.
    requires_system_checks = []
    help = (
        "Settle a CSV file of claims with a compensation policy; write one result row per claim. "
        "--explain settles claim by claim to record each one's steps, which is much slower."
    )

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True, metavar="CODE", help="e.g. demo-ncms")
        parser.add_argument("--claims", type=Path, required=True, metavar="FILE", help="claims CSV (UTF-8)")
        parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="settlements CSV")
        parser.add_argument(
            "--explain",
            type=Path,
            metavar="FILE",
            help="also write each claim's steps as JSON lines (settles claim by claim: slower)",
        )

    def handle(self, *args, policy, claims, out, explain, **options):
        started = time.monotonic()
        loaded_policy = self._policy(policy)
        targets = {"--out": out} if explain is None else {"--out": out, "--explain": explain}
        for option, target in targets.items():
            if not target.parent.is_dir():
                raise CommandError(
                    _("%(option)s: no such directory: %(path)s") % {"option": option, "path": target.parent}
                )
        if not claims.is_file():
            raise CommandError(_("--claims: no such file: %(path)s") % {"path": claims})
        try:
            if explain is None:
                count, reimbursed = self._settle_columns(claims, out, loaded_policy)
            else:
                count, reimbursed = self._settle_claims(claims, out, explain, loaded_policy)
        except csvio.ClaimsFileError as error:
            lines = "\n".join(csvio.describe(error.problems))
            raise CommandError(
                _("%(path)s has %(count)d problem(s); nothing was written:\n%(lines)s")
                % {"path": claims, "count": len(error.problems), "lines": lines}
            ) from error
        self.stdout.write(
            _("Settled %(count)d claims; reimbursed %(total)s yuan; %(seconds).2f s.")
            % {"count": count, "total": fen_to_yuan(reimbursed), "seconds": time.monotonic() - started}
        )

    def _settle_columns(self, claims, out, policy):
        try:
            columns = csvio.read_claims_columns(claims, _major_diseases(policy))
        except csvio.NotColumnar:
            # Amounts beyond the batch engine's exact int64 range: the scalar path has no such limit.
            return self._settle_claims(claims, out, None, policy)
        # An empty table has nothing to settle (and the batch engine wants at least one row).
        settled = settle_batch(columns.table, policy) if len(columns) else {"reimbursed": np.zeros(0, int)}
        layered = policy.poverty is not None
        csvio.write_files(
            {out: lambda handle: csvio.write_settlement_columns(columns.claim_ids, settled, handle, layered)}
        )
        return len(columns), int(settled["reimbursed"].sum())

    def _settle_claims(self, claims, out, explain, policy):
        settlements = settle_year(csvio.read_claims(claims, _major_diseases(policy)), policy)
        layered = policy.poverty is not None
        writers = {out: lambda handle: csvio.write_settlements(settlements, handle, layered)}
        if explain is not None:
            writers[explain] = lambda handle: csvio.write_steps(settlements, handle)
        csvio.write_files(writers)
        return len(settlements), sum(settlement.reimbursed for settlement in settlements)

    def _policy(self, code):
        available = sorted(path.stem for path in POLICY_DIR.glob("*.toml"))
        if code not in available:
            raise CommandError(
                _("--policy: no policy named %(code)s; available: %(available)s.")
                % {"code": code, "available": ", ".join(available)}
            )
        try:
            return load_policy(POLICY_DIR / f"{code}.toml")
        except PolicyError as error:
            raise CommandError(_("--policy %(code)s: %(error)s") % {"code": code, "error": error}) from error


def _major_diseases(policy) -> tuple[str, ...] | None:
    return policy.poverty.major_diseases if policy.poverty is not None else None
