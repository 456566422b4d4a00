from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dirco.marketing.tests.smtp_server import SinkHandler, SmtpServer


@pytest.fixture
def smtp(settings: Any) -> Iterator[SinkHandler]:
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 10
        settings.DIRCO_CAMPAIGN_RATE_PER_SECOND = 0
        settings.DIRCO_CAMPAIGN_RETRY_PAUSE_SECONDS = 0
        settings.DIRCO_BASE_URL = "http://testserver"
        yield server.handler
