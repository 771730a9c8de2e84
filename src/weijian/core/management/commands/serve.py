"""`weijian serve`: run the web application under gunicorn (threaded workers, access log to stdout)."""

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def gunicorn_argv(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The gunicorn command line: the gunicorn of this virtualenv, serving weijian.wsgi."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return [
        str(gunicorn),
        "weijian.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
    ]


class Command(BaseCommand):
    help = (
        "Serve weijian with gunicorn. Static files come from the installed apps through whitenoise, "
        "so no collectstatic is needed."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
        parser.add_argument("--workers", type=int, default=2, help="worker processes (default: 2)")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker (default: 4)")

    def handle(self, *args, host, port, workers, threads, **options):
        argv = gunicorn_argv(host=host, port=port, workers=workers, threads=threads)
        if not os.access(argv[0], os.X_OK):
            raise CommandError(f"gunicorn not found at {argv[0]}; install weijian into this virtualenv")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weijian.settings")
        self.stdout.write(
            f"weijian at http://{host}:{port}/ ({workers} workers × {threads} threads); Ctrl-C stops it."
        )
        if host not in settings.ALLOWED_HOSTS and host not in ("127.0.0.1", "localhost"):
            self.stdout.write("Set WEIJIAN_ALLOWED_HOSTS to the host names clients will use.")
        self.stdout.flush()
        sys.stderr.flush()
        # Replace this process, so Ctrl-C and signals go straight to gunicorn's master.
        os.execvp(argv[0], argv)
