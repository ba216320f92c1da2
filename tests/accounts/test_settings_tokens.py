import re

import pytest
from django.core.cache import cache

from accounts.models import AccessToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_token_is_shown_once_and_works(client, user):
    client.force_login(user)
    response = client.post(
        "/settings/", {"name": "backup script", "scopes": ["boards:read", "pins:read"]}
    )
    raw = response.context["issued"].raw
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert raw not in client.get("/settings/").content.decode()
    api = client.__class__(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v5/boards").status_code == 200
    assert api.get("/api/v5/user_account").status_code == 403  # not one of its scopes


def test_revoking_a_token_stops_it_at_once(client, user):
    client.force_login(user)
    raw = client.post("/settings/", {"name": "old", "scopes": ["pins:read"]}).context["issued"].raw
    token = AccessToken.objects.get(user=user)
    response = client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    api = client.__class__(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v5/pins").status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, user):
    theirs = UserFactory()
    client.force_login(theirs)
    client.post("/settings/", {"name": "theirs", "scopes": ["pins:read"]})
    token = AccessToken.objects.get(user=theirs)
    client.force_login(user)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_needs_a_name_and_a_scope(client, user):
    client.force_login(user)
    response = client.post("/settings/", {"name": "", "scopes": []})
    assert set(response.context["form"].errors) == {"name", "scopes"}
    assert AccessToken.objects.count() == 0


def test_settings_need_a_login(client):
    assert client.get("/settings/").status_code == 302


@pytest.fixture
def two_tokens_an_hour(settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "token_create": "2/hour"}
    cache.clear()  # counters are per user id, and ids repeat across tests
    yield
    cache.clear()


def create_token(client, name: str):
    return client.post("/settings/", {"name": name, "scopes": ["pins:read"]})


@pytest.mark.usefixtures("two_tokens_an_hour")
def test_the_token_after_the_limit_is_refused_with_429_and_when_to_retry(client, user):
    client.force_login(user)
    assert [create_token(client, name).status_code for name in ("one", "two")] == [200, 200]

    response = create_token(client, "three")

    assert response.status_code == 429
    message = re.search(
        r"Too many tokens created; try again in (\d+) seconds\.", response.content.decode()
    )
    assert message and 3500 <= int(message.group(1)) <= 3600
    assert response["Retry-After"] == message.group(1)
    assert response.context["issued"] is None
    assert sorted(AccessToken.objects.filter(user=user).values_list("name", flat=True)) == [
        "one",
        "two",
    ]


@pytest.mark.usefixtures("two_tokens_an_hour")
def test_one_user_reaching_the_token_limit_leaves_others_free(client, user):
    client.force_login(user)
    for name in ("one", "two", "three"):
        create_token(client, name)
    client.force_login(UserFactory())

    assert create_token(client, "theirs").status_code == 200
