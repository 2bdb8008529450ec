"""The ``minesweep`` command: one entry point, one subcommand per operation.

Subcommands are Django management commands living in the app that owns the work
(``minesweep/<app>/management/commands/<name>.py``); this module only lists and dispatches them.
"""

from __future__ import annotations

import os
import sys

ALSO_LISTED = ("migrate",)
HELP_WORDS = ("-h", "--help", "help")


def _our_commands() -> dict[str, str]:
    from django.core.management import get_commands, load_command_class

    listed: dict[str, str] = {}
    for name, app in sorted(get_commands().items()):
        if app.startswith("minesweep") or name in ALSO_LISTED:
            try:
                command = load_command_class(app, name)
            except Exception as exc:  # one broken command must not hide the others
                listed[name] = f"(unavailable / 不可用: {exc})"
                continue
            listed[name] = (command.help or "").strip().splitlines()[0] if command.help else ""
    return listed


def _print_help() -> None:
    print("usage: minesweep <command> [options]   (minesweep <command> --help for its options)\n")
    print("commands / 命令:")
    for name, summary in _our_commands().items():
        print(f"  {name:<12} {summary}")


def _asks_for_help(args: list[str]) -> bool:
    return not args or args[0] in HELP_WORDS or any(arg in ("-h", "--help") for arg in args)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minesweep.settings")
    from minesweep.config import ConfigError, allow_throwaway_secrets

    if _asks_for_help(args):
        allow_throwaway_secrets()  # help needs no secrets (see minesweep.settings.HELP_ONLY)

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"minesweep: {exc}", file=sys.stderr)
        return 2
    if not args or args[0] in HELP_WORDS:
        _print_help()
        return 0
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["minesweep", *args])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
