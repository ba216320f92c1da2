from django.urls import path, register_converter

from boards import views


class UsernameConverter:
    regex = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,29}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UsernameConverter, "username")

urlpatterns = [
    path("boards/new/", views.board_create_view, name="board_create"),
    path("<username:username>/", views.profile_view, name="profile"),
    path("<username:username>/<str:slug>/", views.board_detail_view, name="board_detail"),
]
