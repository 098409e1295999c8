"""Pages of the documentation site generated at build time (mkdocs-gen-files, mkdocs.yml).

* ``scenario-reference.md``: the scenario key reference from the schema
  (``model.scenario_docs.reference_markdown``), so the site never drifts from the code;
* ``readme.md``: the README, with links to repository files that are not pages turned into
  code spans (the site holds only docs/) and ``docs/`` links made relative to the site;
* ``reference/<module>.md``: one mkdocstrings page per module of ``model`` and ``solvers``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.scenario_docs import reference_markdown  # noqa: E402

LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def _readme_link(match: re.Match[str]) -> str:
    bang, text, target = match.groups()
    if re.match(r"^[a-z]+:", target) or target.startswith("#"):
        return match.group(0)
    if target.startswith("docs/"):
        return f"{bang}[{text}]({target.removeprefix('docs/')})"
    return text if text.startswith("`") else f"`{text}`"


with mkdocs_gen_files.open("scenario-reference.md", "w") as page:
    page.write("# Scenario reference\n\n")
    page.write("Generated from the schema in `model/scenario.py` when the site is built ")
    page.write("(`python run.py scenario-docs` prints the same).\n\n")
    page.write(reference_markdown())

with mkdocs_gen_files.open("readme.md", "w") as page:
    page.write(LINK.sub(_readme_link, (ROOT / "README.md").read_text(encoding="utf-8")))

modules = []
for package in ("model", "solvers"):
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules.append(".".join(parts))
with mkdocs_gen_files.open("reference/index.md", "w") as index:
    index.write("# API reference\n\nFrom the docstrings of every module:\n\n")
    for name in modules:
        index.write(f"- [`{name}`]({name}.md)\n")
        with mkdocs_gen_files.open(f"reference/{name}.md", "w") as page:
            page.write(f"# `{name}`\n\n::: {name}\n")
