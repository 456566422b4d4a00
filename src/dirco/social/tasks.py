"""Background work of the social feed; each task only calls a service."""

from __future__ import annotations

from django_tasks import task

from dirco.social.digest import social_digest_send


@task()
def social_digest_task() -> int:
    return social_digest_send()
