"""``dirco db_worker``: django-tasks-db's worker, plus a heartbeat lease (dirco.core.task_queue).

Same options as the library's command (``--queue-name``, ``--interval``, ``--batch``,
``--max-tasks``, ``--worker-id`` ...). Beside the worker loop, a thread writes this worker's
heartbeat and puts back to the queue the tasks of workers that stopped beating (killed,
crashed, lost with their machine), so that one of the running workers finishes them.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import DatabaseError, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as LibraryWorkerCommand

from dirco.core.task_queue import Heartbeat, logger, worker_gone, worker_heartbeat


class Command(LibraryWorkerCommand):
    help = "Run a background worker (django-tasks-db) with a heartbeat lease."

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload, the parent process only watches files: the child beats and works.
        beats = not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if not beats:
            super().handle(*args, **options)
            return
        worker_id = options["worker_id"]
        worker_heartbeat(worker_id=worker_id)  # before the first claim
        heartbeat = Heartbeat(worker_id=worker_id)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            # SIGTERM may have stopped the loop in the middle of a query: a new connection.
            connection.close()
            try:
                worker_gone(worker_id=worker_id)
            except DatabaseError:  # its row ages out; its tasks are not running any more
                logger.warning("worker %s could not remove its heartbeat row", worker_id)
