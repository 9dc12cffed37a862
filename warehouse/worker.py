"""The refresh's second process: work taken off the main process, on the other core.

A refresh runs its steps one after the other in one process; the machine has two cores. When a
refresh begins, :func:`start` spawns one worker process, given its first tasks at once
(assets/background.py: the national commune indexes, then Great Expectations' warm-up) while
the main process imports Dagster. Work that needs no connection to the warehouse being built,
only data, is sent to it: :func:`submit` returns a function that waits for the result. The
worker runs its tasks in turn. Without a worker (none started, or it was killed), the work runs in the calling process
when waited for, with the same result: the worker only changes where the work runs.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None
_last_task: Future | None = None  # its one process runs the tasks in turn: when the last is done, all are


def _end_without_teardown() -> None:
    """In the worker: once its pool lets it go and its queues are released, end the process
    without tearing down its modules one by one (≈ 1 s the command would wait for): it has
    nothing left to write."""
    atexit.register(os._exit, 0)


def start() -> bool:
    """Start the worker, once per process; whether this call started it."""
    global _pool
    if _pool is not None:
        return False
    _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_end_without_teardown)
    return True


def submit(function: Callable[..., T], *args) -> Callable[[], T]:
    """Start ``function(*args)`` in the worker (``function`` and ``args`` are pickled: module-level
    functions and plain data); the returned function waits for its result, or runs it here
    when there is no worker, or it was killed or stopped first. Its exceptions are raised by
    the wait."""
    future = _submit(function, args)

    def wait() -> T:
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:  # the worker was killed: run it here
                _forget()
            except CancelledError:  # the worker was stopped before it ran it: run it here
                pass
        return function(*args)

    return wait


def _submit(function: Callable, args: tuple) -> Future | None:
    global _last_task
    try:
        if _pool is None:
            return None
        _last_task = _pool.submit(function, *args)
        return _last_task
    except BrokenProcessPool:
        _forget()
        return None


def _forget() -> None:
    global _pool
    _pool = None


def processes() -> list[multiprocessing.Process]:
    """The worker's process, when it runs."""
    return list(_pool._processes.values()) if _pool is not None else []


def wait_idle(timeout: float | None = None) -> None:
    """Wait until the worker has run every task sent to it (its warm-up included)."""
    if _last_task is not None:
        _last_task.result(timeout=timeout)


def stop() -> None:
    """Stop the worker: at once when it is still warming up or working (a command that ends does
    not wait for it), else by the pool's own shutdown, which releases its queues cleanly."""
    global _pool, _last_task
    if _pool is not None:
        if _last_task is not None and not _last_task.done():  # ProcessPoolExecutor has no terminate before 3.14
            for process in processes():
                process.kill()
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = _last_task = None
        gc.collect()  # the queues' semaphores are released when collected, before the process ends
