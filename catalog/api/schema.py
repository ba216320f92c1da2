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


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                for status, meaning in ERROR_STATUSES.items():
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": meaning,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    )
    return result


# Public boards, sections and pins may be read without a token (secret ones answer 404).
PUBLIC_READ = [{"bearer": []}, {"session": []}, {}]
