"""The ``aelle`` command line: one sub-command per capability.

Each capability module exposes ``register(subparsers)`` that adds its sub-command and
sets ``func`` on the parser's defaults; this module only dispatches.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

SUBCOMMAND_MODULES = ("aelle.lyapunov.cli",)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every capability's sub-command attached."""
    parser = argparse.ArgumentParser(prog="aelle", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sub-command named in ``argv``; return its exit status."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
