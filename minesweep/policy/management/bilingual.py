"""Command-line plumbing shared by the policy commands: bilingual argument errors with exit code 2.

Django-dependent on purpose (this is the interface layer); the commands only parse and call pure code.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minesweep.policy.errors import PolicyError

EXIT_BAD_INPUT = 2


class BilingualCommandParser(CommandParser):
    """Turns every argument error into a CommandError "中文 / English" with exit code 2 (no traceback)."""

    def error(self, message: str) -> NoReturn:
        text = f"参数错误 / invalid arguments: {message}"
        if self.called_from_command_line:
            self.print_usage(sys.stderr)
            self.exit(EXIT_BAD_INPUT, f"{self.prog}: {text}\n")
        raise CommandError(text, returncode=EXIT_BAD_INPUT)


class PolicyCommand(BaseCommand):
    """Base for commands that call pure policy code and print JSON."""

    requires_system_checks: list[str] = []  # pure computation: no models, no checks needed

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = BilingualCommandParser  # so the top level and subparsers share the error text
        return parser

    def print_json(self, payload: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))


def fail(error: PolicyError) -> CommandError:
    return CommandError(error.message, returncode=EXIT_BAD_INPUT)


def decimal_value(text: str) -> Decimal:
    """argparse type: a finite, non-negative decimal (no float rounding)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"“{text}” 不是非负数 / '{text}' is not a non-negative number")
    return value


def year_value(text: str) -> int:
    """argparse type: a four-digit year."""
    if not text.strip().isdigit() or len(text.strip()) != 4:
        raise argparse.ArgumentTypeError(f"“{text}” 不是年份 / '{text}' is not a year")
    return int(text)
