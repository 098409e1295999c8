"""The folders the studio may touch, and the one check every path from a browser passes.

The studio is started with one or more roots (``--root``, default the current folder). It
reads only scenario files, run folders and region folders under them (the shipped regions of
the package are readable too, as regions only), and writes only new run folders under the
first root's ``runs/``. A path from the browser is taken relative to a root; it is refused when
it is absolute, names ``..``, is too long or too deep, or resolves (through symbolic links)
outside every root. Refusals are :class:`~model.errors.InputError` naming the path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from model.errors import InputError
from model.region import DATA_DIR

MAX_PATH_CHARS = 1024
MAX_PATH_PARTS = 32
MAX_LISTED = 500  # files offered in the open / compare lists
SCENARIO_SUFFIXES = (".yaml", ".yml")
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass(frozen=True)
class Roots:
    """The resolved root folders, first one the home of new run folders."""

    folders: tuple[Path, ...]

    @classmethod
    def of(cls, folders: list[Path]) -> Roots:
        resolved = []
        for folder in folders or [Path.cwd()]:
            if not folder.is_dir():
                raise InputError(folder, "--root", "not a folder")
            resolved.append(folder.resolve())
        return cls(tuple(resolved))

    @property
    def runs_dir(self) -> Path:
        return self.folders[0] / "runs"

    def holds(self, path: Path) -> bool:
        """Whether an absolute, resolved path lies under a root."""
        return any(_inside(path, root) for root in self.folders)

    def checked(self, text: str, what: str = "path") -> Path:
        """The path a browser named, relative to the first root that holds it; refused when
        it leaves the roots (``..``, absolute elsewhere, links out)."""
        if not isinstance(text, str) or not text.strip():
            raise InputError(None, what, "expected a path under the studio's roots")
        if len(text) > MAX_PATH_CHARS or "\x00" in text:
            raise InputError(None, what, "path too long or not text")
        raw = Path(text)
        if ".." in raw.parts:
            raise InputError(text, what, "'..' is not allowed in studio paths")
        if len(raw.parts) > MAX_PATH_PARTS:
            raise InputError(text, what, f"more than {MAX_PATH_PARTS} levels deep")
        candidates = [raw] if raw.is_absolute() else [root / raw for root in self.folders]
        for candidate in candidates:
            resolved = candidate.resolve()
            if self.holds(resolved) and os.path.lexists(candidate):
                return resolved
        if raw.is_absolute() and not self.holds(raw.resolve()):
            raise InputError(text, what, "outside the folders the studio was started with")
        for candidate in candidates:
            if os.path.lexists(candidate) and not self.holds(candidate.resolve()):
                raise InputError(text, what, "a link that leads outside the studio's folders")
        raise InputError(text, what, "not found under the studio's folders")

    def region_allowed(self, folder: Path) -> bool:
        """A region folder may be read when it is under a root or a shipped region."""
        resolved = folder.resolve()
        return self.holds(resolved) or _inside(resolved, DATA_DIR.resolve())

    def relative(self, path: Path) -> str:
        """How the studio shows a path: relative to the root that holds it."""
        for root in self.folders:
            if _inside(path, root):
                return str(path.relative_to(root)) or "."
        return str(path)

    def listing(self) -> tuple[list[Path], list[Path]]:
        """Scenario files and run folders under the roots (at most MAX_LISTED of each)."""
        scenarios: list[Path] = []
        runs: list[Path] = []
        for root in self.folders:
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(
                    d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")
                )
                here = Path(folder)
                if "summary.json" in files and "assignments.csv" in files:
                    runs.append(here)
                    dirs[:] = []
                    continue
                if len(here.relative_to(root).parts) >= 6:
                    dirs[:] = []
                for name in sorted(files):
                    path = here / name
                    if (
                        path.suffix in SCENARIO_SUFFIXES
                        and not path.is_symlink()
                        and _looks_like_scenario(path)
                    ):
                        scenarios.append(path)
                if len(scenarios) >= MAX_LISTED and len(runs) >= MAX_LISTED:
                    break
        return scenarios[:MAX_LISTED], runs[:MAX_LISTED]


def _looks_like_scenario(path: Path) -> bool:
    """A YAML file whose first lines name a scenario (``name:`` at the top level)."""
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("name:") for line in head.splitlines())
