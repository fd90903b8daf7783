"""The README is the contract with users: its commands must be the ones the code has."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from etl.cli import _parser as etl_parser
from portal.cli import build_parser as portal_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_quick_start_is_exactly_two_commands():
    block = README.split("## Quick start", 1)[1].split("```")[1]
    assert [line for line in block.splitlines() if line.strip()] == ["make run", "make test"]


def test_every_command_and_option_is_documented():
    for prog, parser in (("python -m etl", etl_parser()), ("python -m portal", portal_parser())):
        for name, sub in _subcommands(parser).items():
            line = next((ln for ln in README.splitlines() if f"`{prog} {name}" in ln), None)
            assert line, f"README does not document `{prog} {name}`"
            for action in sub._actions:
                for flag in action.option_strings:
                    if flag.startswith("--") and flag not in ("--help", "--quiet"):
                        assert flag in line, f"README's `{prog} {name}` line lacks {flag}"


def test_makefile_targets_and_ci():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test", "bench", "lint"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
