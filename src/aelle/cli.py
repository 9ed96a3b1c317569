"""The ``aelle`` command line: one sub-command per capability.

Each capability module exposes ``register(subparsers)`` that adds its sub-command and
sets ``func`` on the parser's defaults; this module only dispatches. A user's mistake (a
bad argument, a missing or unreadable file) is reported as one line on stderr with exit
status 1, never as a traceback: argument errors by :class:`Parser`, the rest by the
sub-command raising :class:`CommandError`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

SUBCOMMAND_MODULES = ("aelle.lyapunov.cli",)


class CommandError(Exception):
    """A user error, worded to name the argument or file at fault; shown as one line."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block) with exit status 1."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message>`` on stderr and exit with status 1."""
        self.exit(1, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every capability's sub-command attached."""
    parser = Parser(prog="aelle", description="The aelle command line.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sub-command named in ``argv``; return its exit status (1: a user error)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as err:
        print(f"aelle {args.command}: error: {err}", file=sys.stderr)
        return 1
