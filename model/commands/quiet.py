"""The ``--quiet`` flag every command accepts.

Quiet means: no tables, notes or progress bars on stdout, only the command's essential result
line (the folder or file it wrote, or the listing it was asked for). Errors and warnings still
go to stderr, and exit statuses do not change.
"""

from __future__ import annotations

import argparse


def add_quiet(parser: argparse.ArgumentParser, essential: str) -> None:
    """Add ``--quiet``; ``essential`` names what is still printed."""
    parser.add_argument(
        "--quiet",
        action="store_true",
        help=f"print only {essential}: no other output and no progress bars (errors still shown)",
    )
