"""Write transactions that survive PostgreSQL's deadlock and serialization aborts.

PostgreSQL aborts one of two transactions that wait on each other (deadlock, SQLSTATE 40P01)
or that it cannot serialise (40001); the aborted one did nothing and may simply run again.
:func:`atomic_retrying` is ``transaction.atomic`` plus that retry, in one place: the write
services that contend on shared rows (the pipeline's, whose rollup upserts every deal write
shares) use it instead of ``@transaction.atomic``.

- Only the outermost call retries: a retrying service called inside another transaction is a
  plain savepoint, and the abort reaches the outermost ``atomic_retrying``, which runs the whole
  transaction again (a savepoint cannot be replayed alone: the aborted transaction is gone).
- Bounded: ``DIRCO_DB_RETRY_ATTEMPTS`` attempts (5 by default), then the error is raised.
- With jitter: a random pause of up to 20 ms, 40 ms, 80 ms ... between attempts, so that the
  two victims of a deadlock do not collide again in step.
- ``on_commit`` callbacks of an aborted attempt are dropped by Django with its transaction;
  only the attempt that commits sends its side effects.

SQLite takes the write lock at ``BEGIN IMMEDIATE`` and waits up to its busy timeout: it has
no deadlock between writers, so nothing is retried there.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import DatabaseError, transaction

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("dirco.transactions")

# SQLSTATE of the aborts that leave nothing done and call for a new attempt.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
BASE_PAUSE_SECONDS = 0.01


def transaction_conflict(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) is a deadlock or serialization abort."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        seen = seen.__cause__
    return False


def retry_attempts() -> int:
    return max(1, int(getattr(settings, "DIRCO_DB_RETRY_ATTEMPTS", 5)))


def atomic_retrying(func: Callable[P, R]) -> Callable[P, R]:
    """``@transaction.atomic`` that runs the function again when PostgreSQL aborts it for a
    deadlock or a serialization failure (see the module's docstring)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        attempts = retry_attempts()
        for attempt in range(1, attempts + 1):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except DatabaseError as exc:
                if attempt == attempts or not transaction_conflict(exc):
                    raise
                pause = random.uniform(0, BASE_PAUSE_SECONDS * 2**attempt)
                logger.warning(
                    "transaction aborted (%s), attempt %s of %s, retrying in %.0f ms",
                    getattr(exc.__cause__, "sqlstate", "?"),
                    attempt,
                    attempts,
                    pause * 1000,
                    extra={"function": func.__qualname__},
                )
                time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def in_write_transaction(using: str | None = None) -> bool:
    """True inside a ``transaction.atomic`` block of the code (a test case's own wrapping
    transaction does not count): work done here holds the transaction's locks, and on SQLite
    the database's one write lock, until it commits."""
    connection = transaction.get_connection(using)
    return any(not block._from_testcase for block in connection.atomic_blocks)
