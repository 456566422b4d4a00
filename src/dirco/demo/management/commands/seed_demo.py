"""``dirco seed_demo``: fill an empty database with the demo company."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError
from dirco.demo.company_seed import (
    DEFAULT_DEALS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    demo_company_exists,
    demo_company_seed,
)
from dirco.leads.models import Lead
from dirco.registrations.models import DealRegistration


class Command(BaseCommand):
    help = "Create the demo company (staff, partners, accounts, three years of deals)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--deals", type=int, default=DEFAULT_DEALS, help="Number of deals (default 25000)."
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed: same seed, same data."
        )
        parser.add_argument(
            "--no-story",
            action="store_true",
            help="Only the bulk data: no objectives, leads, registrations, documents, etc.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has deals.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and demo_company_exists():
            self.stdout.write(_("The database already has deals or demo users: nothing seeded."))
            return
        verbose = options["verbosity"] >= 2

        def progress(message: str) -> None:
            if verbose:
                self.stdout.write(message)

        try:
            summary = demo_company_seed(
                deals=options["deals"],
                seed=options["seed"],
                progress=progress,
                with_story=not options["no_story"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Demo company created in %(seconds)s s: %(deals)s deals, %(accounts)s "
                        "accounts, %(partners)s partners, %(users)s users, %(changes)s stage "
                        "changes, %(activities)s activities."
                    )
                    % {
                        "seconds": summary.seconds,
                        "deals": summary.deals,
                        "accounts": summary.accounts,
                        "partners": summary.partners,
                        "users": summary.users,
                        "changes": summary.stage_changes,
                        "activities": summary.activities,
                    }
                )
            )
            story = summary.story
            if story is not None:
                self.stdout.write(
                    _(
                        "The story: %(objectives)s objectives, %(leads)s leads, "
                        "%(registrations)s deal registrations, %(documents)s documents, "
                        "%(announcements)s announcements, %(proposals)s tier proposals."
                    )
                    % {
                        "objectives": story.objectives,
                        "leads": sum(v for k, v in story.leads.items() if k in Lead.Status.values),
                        "registrations": sum(
                            v
                            for k, v in story.registrations.items()
                            if k in DealRegistration.Status.values
                        ),
                        "documents": story.documents,
                        "announcements": story.announcements,
                        "proposals": story.tier_proposals,
                    }
                )
            self.stdout.write(
                _(
                    "Log in with password '%(password)s' as director@demo.test, "
                    "manager1@demo.test, rep1@demo.test or partner1@demo.test."
                )
                % {"password": DEMO_PASSWORD}
            )
