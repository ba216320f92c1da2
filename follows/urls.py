"""Follow controls and follower lists. Included from boards.urls, whose `username` converter
they share; the `users/` prefix is a reserved username, so it never shadows a profile."""

from django.urls import path

from follows import views

urlpatterns = [
    path("users/<username:username>/follow/", views.user_follow_view, name="user_follow"),
    path("users/<username:username>/unfollow/", views.user_unfollow_view, name="user_unfollow"),
    path("users/<username:username>/followers/", views.followers_view, name="followers"),
    path("users/<username:username>/following/", views.following_view, name="following"),
    path("<username:username>/<str:slug>/follow/", views.board_follow_view, name="board_follow"),
    path(
        "<username:username>/<str:slug>/unfollow/",
        views.board_unfollow_view,
        name="board_unfollow",
    ),
]
