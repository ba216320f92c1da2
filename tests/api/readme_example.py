"""The README's API example, kept here so that a test runs it against a live server.

In the README the three parameters are literals: the server's address, a token from the Settings
page and the URL of any image on the web.
"""

from openapi_generated.pinterest_client import ApiClient, Configuration
from openapi_generated.pinterest_client.api.boards_api import BoardsApi
from openapi_generated.pinterest_client.api.pins_api import PinsApi
from openapi_generated.pinterest_client.model.pin_create import PinCreate


def readme_example(host: str, token: str, image_url: str) -> None:
    client = ApiClient(Configuration(host=f"{host}/api/v5", access_token=token))
    board = BoardsApi(client).boards_list()["items"][0]
    source = {"source_type": "image_url", "url": image_url}
    pin = PinsApi(client).pins_create(PinCreate(board_id=board["id"], media_source=source))
    print(pin.id)
