"""``run.py show SCENARIO``: print a scenario after extends and overrides."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from model.commands.quiet import add_quiet
from model.commands.run import add_override_option


def register(commands: argparse._SubParsersAction) -> None:
    show = commands.add_parser(
        "show",
        help="print a scenario after extends and --set overrides",
        description="Print the fully resolved scenario (every default filled in) and the chain "
        "of files it came from.",
    )
    show.add_argument("scenario", type=Path, help="scenario YAML file")
    add_override_option(show)
    add_quiet(show, "the resolved scenario, without the comment lines")
    show.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from model.scenario import load_scenario

    loaded = load_scenario(args.scenario, args.overrides)
    if not args.quiet:
        print("# resolved from: " + " -> ".join(loaded.chain))
        if loaded.overrides:
            print("# overrides: " + " ".join(loaded.overrides))
    print(yaml.safe_dump(loaded.resolved(), sort_keys=False, allow_unicode=True), end="")
    return 0
