"""The `weijian` command: Django's management commands plus the project's own (demo, serve, import, …)."""

import os
import sys

# Commands that only compute from files and hold no database connection or server: once they have
# written their output, the process ends at once instead of freeing a gigabyte of arrays object by
# object (about half a second for a million claims).
QUICK_EXIT_COMMANDS = frozenset({"settle"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weijian.settings")
    # numpy asks the kernel for huge pages on large arrays; where the kernel then compacts memory on
    # demand (transparent huge pages in "madvise" mode) that costs more than it saves for the
    # settlement engine's short-lived columns. An explicit setting in the environment wins.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["weijian", *sys.argv[1:]])
    if len(sys.argv) > 1 and sys.argv[1] in QUICK_EXIT_COMMANDS:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
