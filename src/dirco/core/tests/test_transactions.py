"""atomic_retrying: a real PostgreSQL deadlock is retried; nested calls and other errors are not."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from dirco.core.transactions import atomic_retrying
from dirco.pipeline.models import Stage

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only: SQLite has no writer deadlock")
def test_a_real_deadlock_is_retried_until_both_transactions_commit(stages: None) -> None:
    first, second = Stage.objects.order_by("pk")[:2]
    barrier = threading.Barrier(2)
    attempts = {"a": 0, "b": 0}
    errors: list[BaseException] = []

    def crosswise(name: str, one: Stage, other: Stage) -> None:
        @atomic_retrying
        def write() -> None:
            attempts[name] += 1
            Stage.objects.filter(pk=one.pk).update(probability=one.probability)
            if attempts[name] == 1:
                barrier.wait(timeout=10)  # both hold their first row: each now waits on the other
            Stage.objects.filter(pk=other.pk).update(probability=other.probability)

        try:
            write()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=crosswise, args=("a", first, second)),
        threading.Thread(target=crosswise, args=("b", second, first)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    # PostgreSQL aborted one of the two; it ran again and committed.
    assert sorted(attempts.values()) == [1, 2]


@pytest.mark.django_db
def test_inside_a_transaction_it_is_a_savepoint_and_errors_pass_through() -> None:
    calls = 0

    @atomic_retrying
    def write() -> None:
        nonlocal calls
        calls += 1
        assert transaction.get_connection().in_atomic_block
        raise IntegrityError("not a conflict")

    with pytest.raises(IntegrityError):
        write()
    assert calls == 1
