"""Comparing a secret a client sent (a URL segment, a header, a form field) with the right one."""

from __future__ import annotations

import hmac


def same_secret(given: str, expected: str) -> bool:
    """Whether `given` is `expected`, in constant time, for any text a client could send.

    Compared as bytes: `hmac.compare_digest` raises TypeError on a str with non-ASCII characters,
    which anyone can put in a URL, header or form, and that would be a 500.
    """
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))
