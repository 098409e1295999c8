"""Map a function over many inputs: in this process, or on a Dask cluster.

Sweeps of scenario variants run on ``dask.distributed``: a ``LocalCluster`` of
single-threaded worker processes on this machine, or an existing scheduler given by address.
Results come back in input order; a progress bar counts them as they finish. With one worker
and no scheduler, the work stays in this process (no cluster start-up, about 2 s here).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from tqdm import tqdm

In = TypeVar("In")
Out = TypeVar("Out")


def map_tasks(
    func: Callable[[In], Out],
    items: Sequence[In],
    *,
    workers: int = 1,
    address: str | None = None,
    desc: str = "tasks",
    progress: bool = True,
) -> list[Out]:
    """``[func(item) for item in items]``, on Dask when ``address`` or ``workers > 1``."""
    if address is None and workers <= 1:
        return [func(item) for item in tqdm(items, desc=desc, disable=not progress)]
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if address:
        client = Client(address)
    else:
        cluster = LocalCluster(
            n_workers=min(workers, os.cpu_count() or workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        futures = client.map(func, list(items), pure=False)
        position = {future.key: n for n, future in enumerate(futures)}
        results: list[Out | None] = [None] * len(futures)
        with tqdm(total=len(futures), desc=desc, disable=not progress) as bar:
            for future in as_completed(futures):
                results[position[future.key]] = future.result()
                bar.update(1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [r for r in results if r is not None]
