"""``dirco process_bounces PATH``: read the bounce mailbox (a Maildir directory or an mbox
file) and apply each bounce (DSN, RFC 3464) and complaint (ARF, RFC 5965) to the campaign
recipient it names (dirco.marketing.bounces). Run it from cron or a systemd timer; fetch an
IMAP folder into the Maildir first with fetchmail, getmail or mbsync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dirco.marketing.bounces import mailbox_process


class Command(BaseCommand):
    help = "Apply the bounces and spam complaints found in a Maildir or mbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A Maildir directory or an mbox file.")
        parser.add_argument(
            "--keep", action="store_true", help="Leave the messages in the mailbox once read."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"{path} does not exist: give a Maildir directory or an mbox file.")
        if path.is_dir() and not (path / "new").is_dir():
            raise CommandError(f"{path} is not a Maildir (it has no new/ directory).")
        counts = mailbox_process(path=path, keep=options["keep"])
        if options["verbosity"] >= 1:
            summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            self.stdout.write(summary or "No message.")
