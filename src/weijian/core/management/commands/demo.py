"""`weijian demo`: migrate, build the demo county if the database has none, list the logins, serve."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from weijian.demo import DEMO_PASSWORD, build_demo, demo_exists, demo_logins


class Command(BaseCommand):
    help = (
        "Set up the demo county (示范县) and serve it: migrate, generate the demo data unless it is "
        "already there, print the demo logins, then start the server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="seed of the demo data (default: 2026)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete ALL data in the database (flush) and generate the demo again",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="set up the demo but do not start the server"
        )
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")

    def handle(self, *args, seed, reset, no_serve, host, port, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        if reset:
            self.stdout.write("Deleting all data (flush) …")
            call_command("flush", interactive=False, verbosity=max(verbosity - 1, 0))
        if demo_exists():
            self.stdout.write("The demo county is already in this database (use --reset to rebuild it).")
        else:
            self.stdout.write(f"Generating the demo county with seed {seed} …")
            summary = build_demo(seed=seed, stdout=self.stdout if verbosity > 1 else None)
            counts = ", ".join(f"{label.split('.')[-1]} {n}" for label, n in summary.counts.items())
            self.stdout.write(f"Done in {summary.seconds:.1f} s: {counts}.")
        self._print_logins()
        self.stdout.write(f"\nOpen http://{host}:{port}/ and sign in with one of the logins above.")
        if not no_serve:
            call_command("serve", host=host, port=port)

    def _print_logins(self) -> None:
        rows = [("username", "password", "role", "organisation")]
        rows += [(login.username, DEMO_PASSWORD, login.role, login.organisation) for login in demo_logins()]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        for row in rows:
            cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[3]]))


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters are two wide."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)
