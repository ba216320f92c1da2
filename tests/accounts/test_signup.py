import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_signing_up_logs_in_and_leads_to_creating_a_board(client):
    password = "a long enough passphrase 42"
    response = client.post(
        "/accounts/signup/", {"username": "ana", "password1": password, "password2": password}
    )
    assert response.status_code == 302 and response["Location"] == "/boards/new/"
    assert User.objects.filter(username="ana").exists()
    assert client.get("/boards/new/").status_code == 200


def test_a_reserved_or_taken_username_is_a_form_error(client, user):
    password = "a long enough passphrase 42"
    for name in ["admin", user.username.upper()]:
        response = client.post(
            "/accounts/signup/", {"username": name, "password1": password, "password2": password}
        )
        assert response.status_code == 200 and response.context["form"].errors["username"]
    assert User.objects.count() == 1


def test_the_password_can_be_changed(client, user, password):
    client.force_login(user)
    new = "another long passphrase 77"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
