"""Write a folder of results all at once, or not at all, and never over another run's results.

Files go into a hidden staging folder beside the destination, which is renamed into place only
when everything is written; an exception, Ctrl-C or SIGTERM removes the staging folder.

A destination is *claimed* before any work: a lock file ``.<name>.lock`` beside it, held with
``flock`` for as long as the command runs, so two runs given the same ``--out`` cannot both
write it (the second exits 2 naming the folder) and default folder names are unique even
for runs that finish in the same second (``runs/<name>-<stamp>``, then ``-2``, ``-3``...).
The lock disappears with the process, so a killed run leaves no stale claim.

An existing folder that holds anything is replaced only when forced, only when it holds our
results (a ``summary.json`` written by clustersite, or a comparison's tables), and only after
the new one is complete. The final rename never replaces a folder that appeared meanwhile:
the new results then go to a sibling folder that the error names.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from model.errors import OutputExistsError

MAX_NAME_ATTEMPTS = 10_000

_held: dict[Path, int] = {}  # lock file -> its open descriptor, for the claims of this process
_early: dict[Path, Path] = {}  # lock file -> staging folder made before the solve (for logs)


def _lock_path(folder: Path) -> Path:
    folder = Path(os.path.abspath(folder))
    return folder.parent / f".{folder.name}.lock"


def holds_results(folder: Path) -> bool:
    """True when ``folder`` holds a clustersite run or analysis (a ``summary.json`` file) or a
    comparison (``comparison.md`` with ``sitings.csv``): what ``--force`` may replace."""
    summary = folder / "summary.json"
    if summary.is_file() and not summary.is_symlink():
        return True
    return (folder / "comparison.md").is_file() and (folder / "sitings.csv").is_file()


def check_not_current(folder: Path) -> None:
    """Refuse a destination that is the current folder or one of its parents."""
    here = Path.cwd().resolve()
    target = folder.resolve()
    if target == here or target in here.parents:
        raise OutputExistsError(
            folder, None, "output folder is the current folder or holds it; choose another --out"
        )


def check_destination(folder: Path, force: bool, results_only: bool = True) -> None:
    """Refuse a destination that holds anything, unless forced; refuse non-folders always.

    With ``results_only`` (every command's ``--out``), even ``--force`` replaces only a folder
    that holds our results, never a region folder or anything else of the user's.
    """
    check_not_current(folder)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputExistsError(folder, None, "output path exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise OutputExistsError(
                folder, None, "output folder is not empty; choose another --out or add --force"
            )
        if results_only and not holds_results(folder):
            raise OutputExistsError(
                folder,
                None,
                "output folder holds no clustersite results (no summary.json of a run); "
                "--force replaces only an earlier run: choose another --out",
            )


def _try_lock(lock: Path) -> int | None:
    """Take the lock file's flock without waiting; its descriptor, or None if another has it."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed the file as we opened it: take the new one


def _release(lock: Path) -> None:
    fd = _held.pop(lock, None)
    if fd is None:
        return
    try:
        lock.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _make_parent(folder: Path) -> list[Path]:
    """Create the missing parents of ``folder``; the ones created, deepest first."""
    created: list[Path] = []
    parent = Path(os.path.abspath(folder)).parent
    while not parent.exists():
        created.append(parent)
        parent = parent.parent
    for path in reversed(created):
        with suppress(FileExistsError):
            path.mkdir()
    return created


def _remove_if_empty(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.rmdir()
        except OSError:
            break


@contextmanager
def claimed(folder: Path, force: bool = False, results_only: bool = True) -> Iterator[Path]:
    """Hold ``folder`` for this process while the body runs (re-entrant within a process).

    Refuses (exit 2) a folder that another run is writing, and one that ``check_destination``
    refuses. Parent folders created here are removed again if nothing was written in them.
    """
    lock = _lock_path(folder)
    if lock in _held:
        yield folder
        return
    check_not_current(folder)
    try:
        created = _make_parent(folder)
        fd = _try_lock(lock)
    except OSError as err:
        raise OutputExistsError(folder, None, f"cannot create it: {err.strerror}") from err
    try:
        if fd is None:
            raise OutputExistsError(
                folder, None, "another run is writing this folder now; choose another --out"
            )
        _held[lock] = fd
        try:
            check_destination(folder, force, results_only)
            yield folder
        finally:
            early = _early.pop(lock, None)
            if early is not None:
                shutil.rmtree(early, ignore_errors=True)
            _release(lock)
    finally:
        _remove_if_empty(created)


def early_staging(folder: Path) -> Path:
    """The staging folder of a claimed ``folder``, made now so that the solve can write its log
    there; ``staged_folder(folder)`` then fills and renames this one."""
    lock = _lock_path(folder)
    if lock not in _held:
        raise RuntimeError(f"{folder} is not claimed by this process")
    if lock not in _early:
        _early[lock] = Path(
            tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=lock.parent)
        )
    return _early[lock]


@contextmanager
def claimed_new(runs_dir: Path, name: str) -> Iterator[Path]:
    """Claim a new folder ``runs_dir/<name>-<UTC stamp>`` (``-2``, ``-3``... when taken)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    try:
        created = _make_parent(runs_dir / "x")
    except OSError as err:
        raise OutputExistsError(runs_dir, None, f"cannot create it: {err.strerror}") from err
    try:
        for counter in range(1, MAX_NAME_ATTEMPTS):
            suffix = "" if counter == 1 else f"-{counter}"
            candidate = runs_dir / f"{name}-{stamp}{suffix}"
            if os.path.lexists(candidate):
                continue
            lock = _lock_path(candidate)
            if lock in _held:
                continue
            fd = _try_lock(lock)
            if fd is None:
                continue
            _held[lock] = fd
            if os.path.lexists(candidate):  # finished between the check and the lock
                _release(lock)
                continue
            try:
                yield candidate
            finally:
                early = _early.pop(lock, None)
                if early is not None:
                    shutil.rmtree(early, ignore_errors=True)
                _release(lock)
            return
        raise OutputExistsError(runs_dir, None, f"no free folder name for {name}-{stamp}")
    finally:
        _remove_if_empty(created)


@contextmanager
def staged_folder(folder: Path, force: bool = False, results_only: bool = False) -> Iterator[Path]:
    """Yield a staging folder; on success it becomes ``folder``, on failure it disappears.

    ``results_only``: ``force`` replaces only a folder of our results (the commands claim
    their ``--out`` that way before solving; this default keeps ``generate --overwrite``
    able to replace a generated region).
    """
    with claimed(folder, force, results_only):
        staging = _early.pop(_lock_path(folder), None) or Path(
            tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent)
        )
        try:
            yield staging
            _apply_umask(staging)
            _move_into_place(staging, folder, force)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _apply_umask(staging: Path) -> None:
    """Give the staged folder (``mkdtemp`` makes it 0o700) and the folders inside it the
    permissions a plain ``mkdir`` would: 0o777 less the user's umask."""
    mode = 0o777 & ~_current_umask()
    for path in [staging, *(p for p in staging.rglob("*") if p.is_dir() and not p.is_symlink())]:
        os.chmod(path, mode)


def _rename_no_replace(source: Path, target: Path) -> bool:
    """Rename ``source`` to ``target`` unless ``target`` holds something; True if done.

    rename(2) replaces an empty folder and fails on a non-empty one, in one atomic step.
    """
    try:
        os.rename(source, target)
    except OSError as err:
        if err.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            return False
        raise
    return True


def _move_into_place(staging: Path, folder: Path, force: bool) -> None:
    """Rename the finished folder into place; an old folder (with --force) goes only after."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        _refuse_and_keep(staging, folder)
    if not (force and folder.is_dir() and any(folder.iterdir())):
        if not _rename_no_replace(staging, folder):
            _refuse_and_keep(staging, folder)
        return
    retired = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".replaced", dir=folder.parent)
    )
    os.rename(folder, retired / "old")
    if not _rename_no_replace(staging, folder):  # something took the name in between
        if not os.path.lexists(folder):
            os.rename(retired / "old", folder)
        shutil.rmtree(retired, ignore_errors=True)
        _refuse_and_keep(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)


def _refuse_and_keep(staging: Path, folder: Path) -> None:
    """The destination filled up while this run worked: keep the results beside it."""
    for counter in range(2, MAX_NAME_ATTEMPTS):
        sibling = folder.with_name(f"{folder.name}-{counter}")
        if os.path.lexists(sibling) or os.path.lexists(_lock_path(sibling)):
            continue
        if _rename_no_replace(staging, sibling):
            raise OutputExistsError(
                folder,
                None,
                f"this folder appeared while the run worked; the results are in {sibling}",
            )
    raise OutputExistsError(folder, None, "this folder appeared while the run worked")
