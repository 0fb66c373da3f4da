"""Who is calling, and how they reached us: the one place the gateway reads proxy headers.

`X-Forwarded-For` and `X-Forwarded-Proto` are believed only when the direct peer is one of the
reverse proxies in the setting `TRUSTED_PROXIES`; from anyone else they are text the caller chose.
Every rate limit, lock-out and audit line keys on `client_address`, so a client cannot pick its own
bucket by sending a header, and behind a trusted proxy each client still gets a bucket of its own.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web

from bot.keys import SETTINGS

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, proxies: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in proxies)


def forwarded_for(peer: str | None, header_values: list[str], proxies: tuple[Network, ...]) -> str:
    """The client's address: the nearest hop, walking `X-Forwarded-For` back only through trusted proxies.

    Each proxy appends the address it was called from, so the list is read from the right; the first
    address that is not a trusted proxy is the client. An entry that is not an address stops the walk
    at the proxy that passed it on (an unparsable value must not become a bucket of its own).
    """
    current = _parse(peer or "")
    if current is None:
        return peer or "unknown"
    hops = [hop for value in header_values for hop in value.split(",") if hop.strip()]
    while hops and _trusted(current, proxies):
        previous = _parse(hops.pop())
        if previous is None:
            break
        current = previous
    return str(current)


def client_address(request: web.Request) -> str:
    """The address of the client behind this request (the direct peer unless it is a trusted proxy)."""
    proxies = request.config_dict[SETTINGS].trusted_proxies
    return forwarded_for(request.remote, request.headers.getall("X-Forwarded-For", []), proxies)


def request_is_https(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS: our own TLS, or a trusted proxy's X-Forwarded-Proto."""
    if request.secure:
        return True
    proxies = request.config_dict[SETTINGS].trusted_proxies
    if not _trusted(_parse(request.remote or ""), proxies):
        return False
    # The value the nearest proxy set is the last one; earlier ones could have come from the client.
    values = [v.strip().lower() for value in request.headers.getall("X-Forwarded-Proto", []) for v in value.split(",")]
    return bool(values) and values[-1] == "https"
