"""The `weijian` command: Django's management commands plus the project's own (demo, serve, import, …)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weijian.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["weijian", *sys.argv[1:]])


if __name__ == "__main__":
    main()
