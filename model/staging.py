"""Write a folder of results all at once, or not at all.

Files go into a hidden staging folder beside the destination, which is renamed into place only
when everything is written; an exception or Ctrl-C removes the staging folder. An existing
folder that holds anything is replaced only when forced, and only after the new one is
complete.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from model.errors import OutputExistsError


def check_destination(folder: Path, force: bool) -> None:
    """Refuse a destination that holds anything, unless forced; refuse non-folders always."""
    if folder.exists() and not folder.is_dir():
        raise OutputExistsError(folder, None, "output path exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputExistsError(
            folder, None, "output folder is not empty; choose another --out or add --force"
        )


@contextmanager
def staged_folder(folder: Path, force: bool = False) -> Iterator[Path]:
    """Yield a staging folder; on success it becomes ``folder``, on failure it disappears."""
    check_destination(folder, force)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent)
    )
    try:
        yield staging
        _move_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _move_into_place(staging: Path, folder: Path) -> None:
    """Rename the finished folder into place; an old folder (with --force) goes only after."""
    if not folder.exists():
        staging.rename(folder)
        return
    if not any(folder.iterdir()):
        folder.rmdir()
        staging.rename(folder)
        return
    retired = folder.with_name(f".{folder.name}.replaced")
    if retired.exists():
        shutil.rmtree(retired)
    folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)
