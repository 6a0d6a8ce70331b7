"""Faults the fake can inject, and the book that decides when they fire.

A `Fault` says what goes wrong: an error status (with `Retry-After`), an HTML
page from a CDN, a truncated or non-JSON body, added latency, or a dropped
connection before or after the request takes effect. `FaultBook` holds the
rules a test injected (which path and method, how many times, every n-th
request) and hands the server the fault, if any, for each request.

The real API sits behind Cloudflare (REFERENCE §1.1), which is where HTML
error pages, cut bodies and dropped connections come from in practice.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Literal

import attrs

__all__ = ["Fault", "FaultBook", "FaultKind"]

FaultKind = Literal[
    "status",
    "html",
    "truncated",
    "not_json",
    "latency",
    "drop_before",
    "drop_after",
]


@attrs.frozen
class Fault:
    """One way for a request to go wrong. Build it with a constructor.

    Which faults let the request take effect: ``latency``, ``truncated`` and
    ``drop_after`` apply it (the origin answered; the reply was slow, cut or
    lost on the way back); ``status``, ``html``, ``not_json`` and
    ``drop_before`` do not (something in front of the origin answered).

    Attributes:
        kind: Which fault this is.
        http_status: The status sent, where one is sent.
        retry_after: The ``Retry-After`` header value, if any.
        body: The JSON body of a ``status`` fault, if not the default one.
        seconds: The delay of a ``latency`` fault.
    """

    kind: FaultKind
    http_status: int | None = None
    retry_after: str | None = None
    body: dict[str, Any] | None = attrs.field(default=None, hash=False)
    seconds: float = 0.0

    @classmethod
    def status(
        cls,
        code: int,
        *,
        retry_after: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> Fault:
        """Answer with an HTTP error status and a JSON error body.

        Args:
            code: The status, such as 429 or 503.
            retry_after: Sent as the ``Retry-After`` header when given.
            body: Replaces the default error body.

        Raises:
            ValueError: When `code` is not an HTTP status.
        """
        if not 100 <= code <= 599:
            raise ValueError(f"not an HTTP status: {code}")
        return cls("status", http_status=code, retry_after=retry_after, body=body)

    @classmethod
    def html(cls, status: int = 502) -> Fault:
        """Answer with a CDN's HTML error page (``Content-Type: text/html``)."""
        if not 100 <= status <= 599:
            raise ValueError(f"not an HTTP status: {status}")
        return cls("html", http_status=status)

    @classmethod
    def truncated(cls) -> Fault:
        """Apply the request, then send its JSON reply cut half way."""
        return cls("truncated")

    @classmethod
    def not_json(cls) -> Fault:
        """Answer with a JSON content type but a plain-text body."""
        return cls("not_json")

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        """Wait `seconds`, then handle the request normally.

        Raises:
            ValueError: When `seconds` is negative.
        """
        if seconds < 0:
            raise ValueError("latency must not be negative")
        return cls("latency", seconds=seconds)

    @classmethod
    def drop_before(cls) -> Fault:
        """Close the connection without a reply and without applying."""
        return cls("drop_before")

    @classmethod
    def drop_after(cls) -> Fault:
        """Apply the request fully, then close the connection unanswered."""
        return cls("drop_after")

    def error_body(self) -> dict[str, Any]:
        """Return the JSON body a ``status`` fault sends."""
        if self.body is not None:
            return self.body
        status = self.http_status or 500
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        return {
            "code": phrase.title().replace(" ", "").replace("-", ""),
            "message": phrase,
            "success": False,
            "httpStatus": status,
        }

    def html_page(self) -> str:
        """Return the HTML page an ``html`` fault sends."""
        status = self.http_status or 502
        try:
            title = f"{status} {HTTPStatus(status).phrase}"
        except ValueError:
            title = str(status)
        return (
            "<!DOCTYPE html>\n<html><head><title>"
            f"{title}</title></head>\n<body><center><h1>{title}</h1></center>"
            "<hr><center>cloudflare</center></body></html>\n"
        )


@attrs.define
class _Rule:
    fault: Fault
    path: str | None
    method: str | None
    remaining: int | None
    every: int | None
    matched: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.path is None or self.path == path) and (
            self.method is None or self.method == method
        )


class FaultBook:
    """The injected fault rules, checked in the order they were added."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    def add(
        self,
        fault: Fault,
        *,
        path: str | None,
        method: str | None,
        times: int | None,
        every: int | None,
    ) -> None:
        """Add a rule; see `FakeLightNode.inject` for the meaning."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for no limit")
        if every is not None and every < 1:
            raise ValueError("every must be at least 1")
        self._rules.append(
            _Rule(
                fault=fault,
                path=path,
                method=method.upper() if method is not None else None,
                remaining=times,
                every=every,
            )
        )

    def clear(self) -> None:
        """Remove every rule."""
        self._rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """Return the fault for this request, if a rule fires, and count it.

        The first rule that fires answers the request; rules after it do
        not see the request at all.
        """
        for rule in self._rules:
            if not rule.matches(method, path):
                continue
            rule.matched += 1
            if rule.every is not None and rule.matched % rule.every:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._rules.remove(rule)
            return rule.fault
        return None
