"""What every resource group shares: reading replies into models, and paging.

A resource method checks its arguments, calls the transport, and hands the
reply to :meth:`Resource._decode` or :meth:`Resource._paginate`. Those are the
only places that turn API records into models, so a reply of the wrong shape
is reported the same way everywhere: an ``UnexpectedResponseError`` naming
the field (``@ $.instances[3].createTime``) and the value.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

from lightnode_aio._converter import ShapeError, structure, structure_list
from lightnode_aio._exceptions import UnexpectedResponseError
from lightnode_aio._http import Lane, Method

if TYPE_CHECKING:
    from lightnode_aio._client import LightNode

__all__ = ["PAGE_SIZE", "Resource"]

T = TypeVar("T")

#: The largest page the API serves. Without ``pageSize`` it silently serves
#: 10 rows, and a client that trusts that loses servers (REFERENCE §1.7).
PAGE_SIZE: Final = 50

#: A bound on pages of one listing, against a server that never stops.
_MAX_PAGES: Final = 10_000


class Resource:
    """The base of every resource group; holds the client it belongs to."""

    def __init__(self, client: LightNode) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def _get(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        lane: Lane = "new",
    ) -> Awaitable[dict[str, Any]]:
        # Returns the transport's coroutine as it is: one coroutine less on
        # the stack of every read.
        return self._client._transport.request(
            "GET", path, params=params, idempotent=True, lane=lane
        )

    def _decode(
        self,
        reply: Mapping[str, Any],
        record: Any,
        cls: type[T],
        *,
        method: Method,
        path: str,
        where: str,
    ) -> T:
        """Builds one model from a record of a reply."""
        try:
            return structure(record, cls, where=where)
        except ShapeError as err:
            raise _shape_error(err, reply, method, path) from err

    def _decode_rows(
        self,
        reply: Mapping[str, Any],
        keys: tuple[str, ...],
        cls: type[T],
        *,
        path: str,
    ) -> list[T]:
        """Builds the models of a list reply, found under the first of
        ``keys`` that the reply has (the first key is the documented one)."""
        key = next((name for name in keys if name in reply), keys[0])
        try:
            return structure_list(reply.get(key), cls, where=f"$.{key}")
        except ShapeError as err:
            raise _shape_error(err, reply, "GET", path) from err

    async def _pages(
        self,
        path: str,
        params: Mapping[str, str | int],
        keys: tuple[str, ...],
        cls: type[T],
    ) -> AsyncIterator[list[T]]:
        """Yields the rows of a paged listing, one page at a time.

        Always asks for the largest page, and stops when ``rowCount`` rows
        have come, or, when the reply has no usable ``rowCount``, at the
        first page shorter than asked (REFERENCE §1.7). An empty page always
        ends it.
        """
        seen = 0
        for page in range(1, _MAX_PAGES + 1):
            reply = await self._get(
                path, {**params, "page": page, "pageSize": PAGE_SIZE}
            )
            rows = self._decode_rows(reply, keys, cls, path=path)
            if rows:
                yield rows
            seen += len(rows)

            total = reply.get("rowCount")
            if not rows:
                return
            if isinstance(total, int) and not isinstance(total, bool) and total > 0:
                if seen >= total:
                    return
            elif len(rows) < PAGE_SIZE:
                return

    async def _paginate(
        self,
        path: str,
        params: Mapping[str, str | int],
        keys: tuple[str, ...],
        cls: type[T],
    ) -> AsyncIterator[T]:
        """Yields every row of a paged listing (see :meth:`_pages`)."""
        async for rows in self._pages(path, params, keys, cls):
            for row in rows:
                yield row


def _shape_error(
    err: ShapeError, reply: Mapping[str, Any], method: Method, path: str
) -> UnexpectedResponseError:
    status = reply.get("httpStatus")
    return UnexpectedResponseError(
        f"{method} {path} answered with data the SDK cannot read: {err}",
        status=status if isinstance(status, int) else 200,
        method=method,
        path=path,
        problems=err.problems,
    )
