"""Outbound HTTP for webhooks that cannot be turned against dirco's own network (SSRF).

A webhook URL is chosen by a user, so dirco must not become a way to reach addresses only
the server can reach. :func:`outbound_post`:

1. accepts only ``http`` and ``https`` URLs without credentials;
2. resolves the host name and refuses when *any* address it resolves to is not a public
   unicast address: loopback, private (RFC 1918, unique-local ``fc00::/7``), shared
   (``100.64.0.0/10``), link-local (``169.254.0.0/16`` with the cloud metadata address
   ``169.254.169.254``, ``fe80::/10``), multicast, reserved or unspecified; an IPv6 address
   that embeds an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, Teredo, NAT64) is judged
   by the IPv4 address it carries;
3. connects to the address it checked (not to the name again: no DNS rebinding between the
   check and the connection), sending the original ``Host`` and, for HTTPS, the name for SNI
   and certificate checks;
4. never follows a redirect: a 3xx is an answer like any other (the delivery fails), so a
   public URL cannot bounce the request to a private one.

``settings.WEBHOOKS_ALLOW_LOOPBACK`` lets loopback through (only for tests, whose receiver
listens on 127.0.0.1); everything else stays refused.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_RESPONSE_BYTES = 64 * 1024


class OutboundRefused(Exception):
    """The URL or one of its addresses may not be contacted; the message says why."""


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: str


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why ``ip`` may not be contacted, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_refusal(embedded, allow_loopback=allow_loopback)
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    if ip.is_link_local:
        return "link-local"  # 169.254.169.254, the cloud metadata service, is one
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def url_check(url: str) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, addresses) of ``url`` once every address is allowed; else raise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise OutboundRefused(_("Only http and https URLs can receive webhooks."))
    if parts.username or parts.password:
        raise OutboundRefused(_("Remove the user name and password from the URL."))
    host = parts.hostname
    if not host:
        raise OutboundRefused(_("The URL has no host name."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundRefused(_("The URL's port is not valid.")) from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(
            _("The host name %(host)s does not resolve.") % {"host": host}
        ) from exc
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        raw = str(sockaddr[0]).split("%", 1)[0]
        ip = ipaddress.ip_address(raw)
        why = address_refusal(ip, allow_loopback=settings.WEBHOOKS_ALLOW_LOOPBACK)
        if why is not None:
            raise OutboundRefused(
                _(
                    "%(host)s resolves to a %(kind)s address (%(ip)s): webhooks go to public addresses only."
                )
                % {"host": host, "kind": why, "ip": raw}
            )
        if raw not in addresses:
            addresses.append(raw)
    if not addresses:
        raise OutboundRefused(_("The host name %(host)s does not resolve.") % {"host": host})
    return parts.scheme, host, port, addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def outbound_post(url: str, *, body: bytes, headers: dict[str, str]) -> OutboundResponse:
    """POST ``body`` to ``url`` after the checks above; redirects are not followed.

    Raises :class:`OutboundRefused` for a refused URL, ``OSError`` for network failures.
    """
    scheme, host, port, addresses = url_check(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = float(settings.WEBHOOKS_TIMEOUT_SECONDS)
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = cls(host, port, address=addresses[0], timeout=timeout)
    try:
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
        return OutboundResponse(status=response.status, body=text)
    finally:
        conn.close()
