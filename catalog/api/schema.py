"""OpenAPI additions: every operation may answer an error in v5's `{code, message}` shape."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "integer", "description": "catalog/v5 error code"},
        "message": {"type": "string"},
    },
    "required": ["code", "message"],
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("default", error)
    return result


# Public boards, sections and pins may be read without a token (secret ones answer 404).
PUBLIC_READ = [{"bearer": []}, {"session": []}, {}]
