"""Draw a run's map.png in a second process while this one solves and writes the other files.

The baseline run spends about 0.8 s on its map: importing matplotlib (0.3-0.4 s) and drawing
the PNG (0.3-0.5 s). Neither needs this process until the sitings are known, so ``run`` starts
one child process at launch (:class:`MapProcess`), which imports matplotlib while this process
imports Pyomo and solves, and then draws the map from the run's plain data
(:class:`MapInputs`, pickled over a pipe) while this process writes the tables,
the explanations and the GIS layers. With a second idle core the map then costs the run
almost no wall time.

What keeps it safe:

- the child only sends back PNG bytes; this process writes them into the run's staging
  folder, so the run folder appears complete or not at all, as before;
- an exception raised while drawing is raised again here (with the child's traceback as a
  note), so the run fails as it would have failed drawing in-process;
- a child that cannot start, dies (killed, out of memory) or has not answered within
  ``WAIT_LIMIT_S``, is not an error of the run: the map is then drawn in this process, and is
  the same map;
- the child ignores Ctrl-C (this process reports the interruption once) and is killed when
  the run ends, however it ends; it writes no file.

A second process costs CPU (the child imports pandas and matplotlib itself): it is started
only when it can pay off (:func:`wanted`): more than one CPU, not all of them busy.
``CLUSTERSITE_MAP_PROCESS=1`` or ``=0`` in the environment forces the choice.
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from model.report.geo import RegionShapes
    from model.report.map_data import MapMarks, MapRegion, MapSiting

ENVIRONMENT_SWITCH = "CLUSTERSITE_MAP_PROCESS"
# how long to wait for the child's map before drawing it here (a map takes seconds at most)
WAIT_LIMIT_S = 300.0
PNG = tuple[bytes, str | None]
CODE_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder holding ``model``
# the child: Ctrl-C ignored before anything else, then this module's serve(). It never loads
# Pyomo, so the import hook of model/__init__.py (which loads Pyomo's dependency table to drop
# its finalisers before matplotlib loads) has nothing to do there and is removed: 60 ms less.
CHILD = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "import gc; gc.set_threshold(50000, 10, 10); "  # as the run: model.commands.run
    "sys.path.insert(0, sys.argv[1]); import model; "
    "sys.meta_path[:] = [f for f in sys.meta_path "
    "if not isinstance(f, model._BeforeScipyOrMatplotlib)]; "
    "from model.report.map_process import serve; serve(); "
    # the PNG is sent: end without the interpreter's teardown of pandas and matplotlib
    # (0.1-0.3 s, and this process's end is what the run waits for); it wrote no file
    "import os; sys.stderr.flush(); os._exit(0)"
)


@dataclass(frozen=True)
class MapInputs:
    """Everything a run's map is drawn from, as plain data (pickled to the drawing process)."""

    region: MapRegion
    shapes: RegionShapes
    sitings: list[MapSiting]
    types: list[str]
    title: str
    marks: MapMarks


def draw_map(inputs: MapInputs) -> tuple[bytes, str | None]:
    """The map as PNG bytes, and the credit line of its geometry (if any)."""
    from model.report.maps import save_figure, siting_figure  # matplotlib: only to draw

    figure = siting_figure(
        inputs.region, inputs.shapes, inputs.sitings, inputs.types, inputs.title, inputs.marks
    )
    buffer = io.BytesIO()
    save_figure(figure, buffer)
    return buffer.getvalue(), inputs.shapes.attribution


def wanted() -> bool:
    """Whether to draw in a second process: the environment's switch, else more than one CPU
    and, over the last minute, fewer runnable processes than CPUs (a busier machine has no
    core to spare, and the child's own imports would then make the run slower)."""
    switch = os.environ.get(ENVIRONMENT_SWITCH, "").strip()
    if switch in ("0", "1"):
        return switch == "1"
    cpus = usable_cpus()
    try:
        busy = os.getloadavg()[0]
    except OSError:  # no load average on this system
        busy = 0.0
    return cpus > 1 and busy < cpus


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def serve(source: IO[bytes] | None = None, sink: IO[bytes] | None = None) -> None:
    """The child's work: import the drawing code, read one MapInputs, send back the PNG.

    The answer is ``("ok", png, credit)`` or ``("error", exception or None, traceback)``.
    """
    source = source or sys.stdin.buffer
    if sink is None:  # the answer alone on stdout: anything printed goes to stderr instead
        sink = sys.stdout.buffer
        sys.stdout = sys.stderr
    # while the parent solves: matplotlib, and pandas, which unpickling the region needs
    import pandas  # noqa: F401

    import model.report.maps  # noqa: F401

    answer: tuple[Any, ...]
    try:
        inputs = pickle.load(source)
        answer = ("ok", *draw_map(inputs))
    except Exception as err:
        answer = ("error", _picklable(err), traceback.format_exc())
    sink.write(pickle.dumps(answer))
    sink.flush()


def _picklable(err: Exception) -> Exception | None:
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:
        return None
    return err


class MapProcess:
    """One child process that draws one map (see the module's docstring)."""

    def __init__(self) -> None:
        self._drawing: subprocess.Popen[bytes] | None = None  # the child, once it has work
        self._child: subprocess.Popen[bytes] | None
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(CODE_ROOT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except OSError:  # no process to be had: the map is drawn in this one
            self._child = None

    def draw(self, inputs: MapInputs) -> Callable[[], PNG]:
        """Send the map's inputs to the child; the returned function waits for the PNG.

        That function raises the drawing's errors; it draws in this process when the child
        is gone or dies. A second call of ``draw`` draws in this process.
        """
        child, self._child = self._child, None
        if child is None:
            png = draw_map(inputs)
            return lambda: png
        self._drawing = child
        try:
            data = pickle.dumps(inputs)
        except Exception:  # not sendable (a region type of some extension): draw here
            self.close()
            png = draw_map(inputs)
            return lambda: png
        # a thread, because the pipe holds 64 KiB and the child reads only once it has imported
        sender = threading.Thread(target=_send, args=(cast(IO[bytes], child.stdin), data))
        sender.daemon = True
        sender.start()
        return lambda: self._receive(child, sender, inputs)

    def _receive(
        self, child: subprocess.Popen[bytes], sender: threading.Thread, inputs: MapInputs
    ) -> PNG:
        received: list[bytes] = []
        reader = threading.Thread(
            target=lambda: received.append(cast(IO[bytes], child.stdout).read()), daemon=True
        )
        reader.start()
        reader.join(WAIT_LIMIT_S)
        if reader.is_alive():  # a child stuck somewhere: end it, and draw here instead
            child.kill()
            reader.join()
        child.wait()
        sender.join()
        answer = received[0] if received else b""
        try:
            status, *rest = pickle.loads(answer)
        except Exception:  # the child died before answering: draw here, the same map
            return draw_map(inputs)
        if status == "ok":
            png, credit = rest
            return cast(bytes, png), cast("str | None", credit)
        error, trace = rest
        if error is None:
            error = RuntimeError("drawing the map failed")
        error.add_note(f"in the map's drawing process:\n{trace}")
        raise error

    def close(self) -> None:
        """Kill the child if it still runs (a run that ended early, or was interrupted)."""
        for child in (self._child, self._drawing):
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()
            if child is not None:
                for pipe in (child.stdin, child.stdout):
                    if pipe is not None:
                        with suppress(OSError):
                            pipe.close()
        self._child = None


def _send(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except OSError:  # the child is gone: the receiving side draws in this process
        pass


@contextmanager
def map_process() -> Iterator[MapProcess | None]:
    """A :class:`MapProcess` for the body (None when not :func:`wanted`), always ended after."""
    if not wanted():
        yield None
        return
    process = MapProcess()
    try:
        yield process
    finally:
        process.close()
