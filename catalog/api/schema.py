"""OpenAPI additions: every operation may answer an error in v5's `{code, message}` shape."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "integer", "description": "catalog/v5 error code"},
        "message": {"type": "string"},
    },
    "required": ["code", "message"],
}


# Listed one by one (not as `default`), so a status outside them is a schema violation.
ERROR_STATUSES = {
    "400": "Invalid parameters or body",
    "401": "No valid access token",
    "403": "Missing scope, or a write to something visible that is not yours",
    "404": "Not found, or not yours to see",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "413": "Body or image too large",
    "415": "Unsupported content type",
    "429": "Rate limited; see Retry-After",
}


def _error_content() -> dict:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Every operation gets the common error statuses; an error status an operation declares
    itself (409 when a name is taken) gets the error body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                responses = operation["responses"]
                for status, meaning in ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": meaning})
                for status, response in responses.items():
                    if status.startswith("4"):
                        response.setdefault("content", _error_content())
    return result


# Public boards, sections and pins may be read without a token (secret ones answer 404).
PUBLIC_READ = [{"bearer": []}, {"session": []}, {}]
