"""A real SMTP server on loopback (aiosmtpd) for the tests and the benchmark: it keeps what
it receives, and can refuse chosen recipients for good (5xx) or for a while (4xx)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class SinkHandler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 550 for good
    # Address -> how many more times to answer 451 before accepting.
    defer: dict[str, int] = field(default_factory=dict)
    keep: bool = True  # the benchmark counts without keeping
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
            if self.keep:
                self.received.append(
                    Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
                )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.envelope_to]


class SmtpServer:
    def __init__(self, handler: SinkHandler | None = None) -> None:
        self.handler = handler or SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
