"""Answers serialised once: FastAPI neither validates nor encodes a returned `Response` again, which for
a page of mandates is a good part of the server's time."""

from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter

JSON = "application/json"


def json_response(value: BaseModel) -> Response:
    """The model as JSON."""
    return Response(content=value.model_dump_json(), media_type=JSON)


def json_list_response(adapter: TypeAdapter[list[Any]], values: list[Any]) -> Response:
    """A list of models as JSON, through the adapter made once for its type."""
    return Response(adapter.dump_json(values), media_type=JSON)
