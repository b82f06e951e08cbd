"""The SSRF guard: a webhook goes only to a public address, unless a setting allows private ones.

`WEBHOOKS["ALLOW_PRIVATE_URLS"]` (default: DEBUG) lets DEBUG and the tests post to 127.0.0.1;
production refuses every URL whose host resolves to a loopback, private, link-local, reserved,
multicast or unspecified address, checked again before each attempt (DNS may change).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext

from core.errors import ApplicationError


def private_urls_allowed() -> bool:
    return bool(settings.WEBHOOKS.get("ALLOW_PRIVATE_URLS", settings.DEBUG))


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid", fields={"url": [message]})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def webhook_url_check(url: str, *, resolve: bool = True) -> None:
    """Refuse (400 naming `url`) an address a webhook may not be sent to."""
    parts = urlsplit(url)
    allow_private = private_urls_allowed()
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise _refuse(gettext("Must be an https:// address."))
    if not parts.hostname:
        raise _refuse(gettext("Must name a host, e.g. https://hooks.example.com/alliance."))
    if parts.username or parts.password:
        raise _refuse(gettext("Must not carry a user name or password; authenticate with the signature."))
    if allow_private or not resolve:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        raise _refuse(gettext("The host name does not resolve."))
    if not infos or not all(_is_public(info[4][0]) for info in infos):
        raise _refuse(gettext("Must resolve to a public internet address, not a private, loopback or link-local one."))
