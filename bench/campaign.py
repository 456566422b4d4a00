"""Benchmark: a campaign of 10,000 recipients sent by the task worker to a local SMTP server.

The real path: a scratch SQLite database (or ``--pg URL``) is migrated and seeded with
10,000 contacts with consent (plus 500 without and 500 suppressed, never sent to), the
campaign is scheduled (the task goes to the database queue), ``dirco db_worker --max-tasks 1``
runs it, sending through Django's SMTP backend to aiosmtpd in a process of its own on
127.0.0.1. Prints one JSON line: messages/s over the task's run (from the worker taking the
task to the campaign finishing) and over the whole wall time (worker start-up included),
what the SMTP server received, and the load average.

    python bench/campaign.py [--recipients 10000] [--pg postgres://...] [--rate 0]
                             [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIRCO = str(Path(sys.executable).parent / "dirco")


def serve(port: int) -> None:
    """The SMTP server process: counts what it receives, prints the count on SIGTERM."""
    sys.path.insert(0, str(ROOT / "src"))
    from aiosmtpd.controller import Controller

    from dirco.marketing.tests.smtp_server import SinkHandler

    handler = SinkHandler(keep=False)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stopped = False

    def stop(*_: Any) -> None:
        nonlocal stopped
        stopped = True

    signal.signal(signal.SIGTERM, stop)
    while not stopped:
        time.sleep(0.1)
    controller.stop()
    print(json.dumps({"received": handler.count}), flush=True)


def seed(recipients: int) -> int:
    import django

    django.setup()
    from django.utils import timezone

    from dirco.accounts.models import User
    from dirco.marketing.models import Consent, Suppression
    from dirco.marketing.segments import SegmentFilter
    from dirco.marketing.services import (
        CampaignInput,
        TemplateInput,
        campaign_create,
        campaign_schedule,
        segment_save,
        template_save,
    )
    from dirco.partners.models import Contact, Partner, Territory, Tier

    user = User.objects.create_user("marketing@bench.test", role=User.Role.MARKETING)
    territory = Territory.objects.create(name="Bench", code="bench")
    tier = Tier.objects.create(name="Bench gold", rank=1)
    partners = [
        Partner.objects.create(
            name=f"Partner {i}", country="FR", territory=territory, tier=tier, status="active"
        )
        for i in range(100)
    ]
    extra = 1000
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                first_name=f"First{i}",
                last_name=f"Last{i}",
                email=f"person{i}@bench{i % 100}.example",
                job_title="IT manager",
                partner=partners[i % 100],
            )
            for i in range(recipients + extra)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    Consent.objects.bulk_create(
        [
            Consent(
                contact=c,
                status="granted",
                source="contract",
                legal_basis="consent",
                given_at=now,
            )
            for c in contacts[: recipients + extra // 2]
        ],
        batch_size=2000,
    )
    Suppression.objects.bulk_create(
        [
            Suppression(email=c.email, reason="manual")
            for c in contacts[recipients : recipients + extra // 2]
        ]
    )
    template = template_save(
        template=None,
        data=TemplateInput(
            name="Bench",
            subject="News for {{ contact.company }}",
            html_body=(
                "<html><body><p>Hello {{ contact.first_name }},</p><p>Our "
                '<a href="https://example.com/spring">spring offer</a> for '
                "{{ contact.job_title|lower }}s.</p></body></html>"
            ),
            text_body="Hello {{ contact.first_name }},\nhttps://example.com/spring",
        ),
        by=user,
    )
    segment = segment_save(segment=None, name="All", spec=SegmentFilter(tiers=[tier.pk]), by=user)
    campaign = campaign_create(
        data=CampaignInput(name="Bench", segment=segment, template=template), by=user
    )
    campaign_schedule(campaign=campaign, at=None)
    return campaign.pk


def measure(campaign_id: int) -> dict[str, Any]:
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from dirco.marketing.models import Campaign, Recipient
    from dirco.marketing.selectors import campaign_figures

    campaign = Campaign.objects.get(pk=campaign_id)
    task = DBTaskResult.objects.get(task_path__endswith="campaign_send_task")
    assert campaign.finished_at is not None and task.started_at is not None
    run = (campaign.finished_at - task.started_at).total_seconds()
    figures = campaign_figures(campaign=campaign)
    sent = figures.by_status[Recipient.Status.SENT]
    return {
        "campaign_status": campaign.status,
        "task_status": str(task.status),
        "sent": sent,
        "failed": figures.by_status[Recipient.Status.FAILED],
        "recipients": figures.total,
        "task_run_s": round(run, 2),
        "messages_per_s": round(sent / run, 1) if run else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--pg", default="")
    parser.add_argument("--rate", default="0", help="DIRCO_CAMPAIGN_RATE_PER_SECOND (0: none)")
    parser.add_argument("--connections", default="8", help="DIRCO_CAMPAIGN_CONNECTIONS")
    parser.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--step", default="", help=argparse.SUPPRESS)
    parser.add_argument("--campaign", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
    if args.step == "seed":
        campaign_id = seed(args.recipients)
        if os.environ.get("BENCH_PROFILE"):  # send here, one connection, under cProfile
            import cProfile
            import pstats

            from dirco.marketing.sending import campaign_send

            profile = cProfile.Profile()
            profile.enable()
            campaign_send(campaign_id=campaign_id, connections=1)
            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        print(json.dumps({"campaign": campaign_id}))
        return
    if args.step == "measure":
        print(json.dumps(measure(args.campaign)))
        return

    sys.path.insert(0, str(ROOT / "src"))
    from dirco.marketing.tests.smtp_server import free_port

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="dirco-bench-campaign-") as tmp:
        env = {
            **os.environ,
            "DIRCO_HOME": tmp,
            "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "DIRCO_CAMPAIGN_RATE_PER_SECOND": args.rate,
            "DIRCO_CAMPAIGN_CONNECTIONS": args.connections,
            "DIRCO_BASE_URL": "https://dirco.example",
        }
        env.pop("TASKS_IMMEDIATE", None)
        if args.pg:
            env["DATABASE_URL"] = args.pg
        subprocess.run([DIRCO, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=tmp)
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--step", "seed", "--recipients", str(args.recipients)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            campaign_id = json.loads(out.stdout.strip().splitlines()[-1])["campaign"]
            t0 = time.perf_counter()
            cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(
                [DIRCO, "db_worker", "--max-tasks", "1", "--no-startup-delay", "-v", "0"],
                env=env,
                check=True,
                cwd=tmp,
            )
            wall = time.perf_counter() - t0
            cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            worker_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
            out = subprocess.run(
                [sys.executable, __file__, "--step", "measure", "--campaign", str(campaign_id)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            server.send_signal(signal.SIGTERM)
            received = json.loads(server.communicate(timeout=30)[0].strip().splitlines()[-1])
        if args.pg:
            subprocess.run([DIRCO, "flush", "--no-input", "-v", "0"], env=env, check=False)
    print(
        json.dumps(
            {
                "bench": "campaign",
                "db": "postgresql" if args.pg else "sqlite",
                "rate_limit_per_s": float(args.rate),
                "smtp_connections": int(args.connections),
                **figures,
                "smtp_received": received["received"],
                "wall_s_with_worker_start": round(wall, 2),
                "messages_per_s_wall": round(figures["sent"] / wall, 1),
                # CPU the worker process spent (start-up included): what one free core
                # would send per second with the SMTP server on another core.
                "worker_cpu_s": round(worker_cpu, 2),
                "worker_cpu_ms_per_message": round(1000 * worker_cpu / max(1, figures["sent"]), 2),
                "loadavg": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
