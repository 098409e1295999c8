"""``run.py scenario-docs``: every scenario key with its type, default and meaning."""

from __future__ import annotations

import argparse

from model.commands.quiet import add_quiet


def register(commands: argparse._SubParsersAction) -> None:
    docs = commands.add_parser(
        "scenario-docs",
        help="print every scenario key with its default and meaning",
        description="Print the scenario reference generated from the schema (the README holds "
        "the same table).",
    )
    docs.add_argument("--markdown", action="store_true", help="print the README's Markdown table")
    add_quiet(docs, "the reference")
    docs.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.scenario_docs import reference_markdown, reference_text

    print(reference_markdown() if args.markdown else reference_text())
    return 0
