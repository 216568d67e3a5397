"""Server-side request forgery guard for webhook URLs.

Only https URLs whose host resolves to public addresses are accepted; every resolved address is
checked (a host with one private address among public ones is refused). `WEBHOOKS_ALLOW_LOOPBACK`
(development and tests) also lets plain http reach 127.0.0.1 / ::1. The check runs when a
subscription is saved and again before every delivery, since DNS answers can change; a delivery then
connects to the very address it checked (`WebhookTarget.address`), so a DNS answer that changes between
the check and the connection (rebinding) cannot redirect it."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ValidationFailed


def _refuse(message: str):
    raise ValidationFailed(message, code="webhook_url_refused", fields={"url": [message]})


def _forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or not ip.is_global)


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        _refuse(_("The host %(host)s could not be resolved.") % {"host": host})
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    scheme: str
    host: str  # as written in the URL: the Host header and the name the TLS certificate must carry
    port: int
    path: str  # path and query
    address: str  # the checked address a delivery connects to

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def webhook_url_check(url: str) -> str:
    """Return the URL when deliveries may go there; raise `ValidationFailed` otherwise."""
    return webhook_target(url).url


def webhook_target(url: str) -> WebhookTarget:
    """Check the URL and pick the address to connect to (IPv4 first); raise `ValidationFailed` if refused."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _refuse(_("Enter an https:// URL."))
    if parts.username or parts.password:
        _refuse(_("Leave credentials out of the URL; deliveries are signed instead."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        _refuse(_("The URL has an invalid port."))
    addresses = _resolve(parts.hostname, port)
    if not addresses:
        _refuse(_("The host %(host)s could not be resolved.") % {"host": parts.hostname})
    allow_loopback = getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK", False)
    all_loopback = all(ip.is_loopback for ip in addresses)
    if not (allow_loopback and all_loopback):
        if parts.scheme != "https":
            _refuse(_("Webhook URLs must use https://."))
        if any(_forbidden(ip) for ip in addresses):
            _refuse(_("Webhook URLs must point to a public address, not a private, loopback or link-local one."))
    address = min(addresses, key=lambda ip: ip.version)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(url=url, scheme=parts.scheme, host=parts.hostname, port=port, path=path,
                         address=str(address))
