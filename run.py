#!/usr/bin/env python3
"""clustersite command line: ``python run.py --help``."""

import sys

from model.cli import main

if __name__ == "__main__":
    sys.exit(main())
