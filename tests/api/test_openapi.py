import re

import pytest

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "user_account/get",
    "boards/list",
    "boards/create",
    "boards/get",
    "boards/update",
    "boards/delete",
    "boards/list_pins",
    "board_sections/list",
    "board_sections/create",
    "board_sections/update",
    "board_sections/delete",
    "board_sections/list_pins",
    "pins/list",
    "pins/create",
    "pins/get",
    "pins/update",
    "pins/delete",
    "pins/save",
    "pins/related",
    "search_user_pins/list",
    "search_user_boards/get",
    "media/create",
    "media/get",
    "user_following/get",
    "followers/list",
    "boards_user_follows/list",
    "follow_user/update",
    "unfollow_user/delete",
    "boards/follow",
    "boards/unfollow",
}


def test_the_schema_names_every_v5_operation_at_v5_paths(client):
    schema = client.get("/api/v5/openapi.json").json()
    operations = {
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert operations == OPERATIONS
    assert "/pins/{pin_id}" in schema["paths"] and "/search/pins" in schema["paths"]
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message"]


def test_a_taken_name_is_documented_as_a_409_with_the_error_body_where_names_are_written(client):
    schema = client.get("/api/v5/openapi.json").json()
    paths = schema["paths"]
    writes = [
        paths["/boards"]["post"],
        paths["/boards/{board_id}"]["patch"],
        paths["/boards/{board_id}/sections"]["post"],
        paths["/boards/{board_id}/sections/{section_id}"]["patch"],
    ]
    for operation in writes:
        content = operation["responses"]["409"]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Error"}, operation["operationId"]
    assert "409" not in paths["/pins/{pin_id}/save"]["post"]["responses"]


def test_the_interactive_docs_are_served_by_us_with_no_outside_requests(client):
    page = client.get("/api/v5/docs/").content.decode()
    script = client.get("/api/v5/docs/?script=").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") for source in sources)
    assert "openapi.json" in script
    assert all(client.get(source).status_code == 200 for source in sources if "static" in source)


def test_public_reads_are_documented_as_needing_no_token(client):
    schema = client.get("/api/v5/openapi.json").json()
    assert {} in schema["paths"]["/pins/{pin_id}"]["get"]["security"]
    assert {} not in schema["paths"]["/pins"]["get"].get("security", [{"bearer": []}])


@pytest.mark.parametrize("path", ["/api/v5/nothing", "/api/v5/boards/", "/api/v5/boards/a%2Fb"])
def test_unknown_api_paths_answer_v5_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"code": 4, "message": "Not found."}


def test_too_many_query_fields_is_a_json_400(client, settings, board):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{n}=1" for n in range(20))
    response = client.get(f"/api/v5/boards/{board.pk}/pins?{query}")
    assert response.status_code == 400
    assert response.json() == {"code": 1, "message": "Too many parameters or files."}
