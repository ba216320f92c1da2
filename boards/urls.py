from django.urls import include, path, register_converter

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
    path("boards/picker/", views.board_picker_view, name="board_picker"),
    path("<username:username>/", views.profile_view, name="profile"),
    path("<username:username>/<str:slug>/", views.board_detail_view, name="board_detail"),
    path("<username:username>/<str:slug>/edit/", views.board_edit_view, name="board_edit"),
    path("<username:username>/<str:slug>/delete/", views.board_delete_view, name="board_delete"),
    path(
        "<username:username>/<str:slug>/sections/new/",
        views.section_create_view,
        name="section_create",
    ),
    path("", include("follows.urls")),
]
