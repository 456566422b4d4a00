"""The OpenAPI schema dirco serves: errors documented as problem documents, and component
names that cannot collide.

django-ninja merges the ``$defs`` of every operation into one ``components.schemas`` by
short name, so two different enums both called ``Status`` used to overwrite each other and
the schema documented the wrong allowed values (finding 12 of the security test). Here a
second, different definition under a name already taken stops the schema from being built;
give the field a distinct schema (``dirco.api.schemas.choices_schema``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from dirco.api.errors import PROBLEM_JSON

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class DircoOpenAPISchema(OpenAPISchema):
    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, schema in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != schema:
                raise ImproperlyConfigured(
                    f"Two different OpenAPI components are named {name!r}: give one of the "
                    "fields a schema of its own (dirco.api.schemas.choices_schema)."
                )
        super().add_schema_definitions(definitions)

    def responses(self, operation: Operation) -> dict[int, Any]:
        result: dict[int, Any] = super().responses(operation)
        problem = None
        for status, details in result.items():
            content = details.get("content")
            if status >= 400 and content:
                details["content"] = {PROBLEM_JSON: next(iter(content.values()))}
                problem = details["content"]
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused before the API runs
        # (dirco.core.middleware.RequestInputGuardMiddleware), in the same problem format.
        if BODY_METHODS & set(operation.methods) and 400 in result:
            result[413] = {
                "description": "Content Too Large: the request body is over the size limit.",
                "content": result[400]["content"],
            }
        if problem is not None:
            # Answers every operation may give besides its own (dirco.api.errors): the rate
            # limit of API tokens, and on POST the Idempotency-Key conflicts.
            extra = {429: "Too Many Requests (see Retry-After)"}
            if "POST" in operation.methods:
                extra[409] = "A request with this Idempotency-Key is still running"
                extra[422] = "This Idempotency-Key was used with another request"
            for status, description in extra.items():
                result.setdefault(status, {"description": description, "content": problem})
        return result


class DircoAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DircoOpenAPISchema(self, path_prefix)
