"""Checking what a caller hands a service method against the bounds its signature declares.

`@checked` validates every argument of an `AccessService` method (a request DTO again, an id, a list of
ids, a search) before the method runs, so that the local store and the HTTP client refuse the same input
with the same `ValidationFailed`, whoever calls them and however the arguments were made.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from onss_tui.services.errors import invalid_input

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class _Arguments(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, revalidate_instances="always")


def checked(method: F) -> F:
    """`method` with its arguments (all but `self`) validated against their annotations first."""
    signature = inspect.signature(method)
    hints = typing.get_type_hints(method, include_extras=True)
    fields: dict[str, Any] = {
        name: (
            hints.get(name, Any),
            ... if parameter.default is inspect.Parameter.empty else parameter.default,
        )
        for name, parameter in signature.parameters.items()
        if name != "self"
    }
    arguments = create_model(f"{method.__qualname__}.arguments", __base__=_Arguments, **fields)

    @functools.wraps(method)
    async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        given = {name: value for name, value in bound.arguments.items() if name != "self"}
        try:
            valid = arguments.model_validate(given)
        except ValidationError as exc:
            raise invalid_input(exc) from None
        return await method(self, **{name: getattr(valid, name) for name in given})

    return cast(F, call)
