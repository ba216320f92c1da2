from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from accounts.api import UserAccountView
from boards.api import (
    BoardPinsView,
    BoardSearchView,
    BoardsView,
    BoardView,
    SectionPinsView,
    SectionsView,
    SectionView,
)
from catalog.api.docs import ApiDocsView
from catalog.api.errors import unknown_endpoint
from follows.api import (
    BoardFollowView,
    FollowersView,
    FollowingBoardsView,
    FollowingView,
    FollowUserView,
)
from media_pipeline.api import MediaDetailView, MediaView
from pins.api import PinRelatedView, PinSaveView, PinSearchView, PinsView, PinView

# v5 paths have no trailing slash; ids are path segments checked by the views (404 when not ids).
urlpatterns = [
    path("user_account", UserAccountView.as_view()),
    path("user_account/following", FollowingView.as_view()),
    path("user_account/following/boards", FollowingBoardsView.as_view()),
    path("user_account/following/<str:username>", FollowUserView.as_view()),
    path("user_account/followers", FollowersView.as_view()),
    path("boards", BoardsView.as_view()),
    path("boards/<str:board_id>", BoardView.as_view()),
    path("boards/<str:board_id>/pins", BoardPinsView.as_view()),
    path("boards/<str:board_id>/follow", BoardFollowView.as_view()),
    path("boards/<str:board_id>/sections", SectionsView.as_view()),
    path("boards/<str:board_id>/sections/<str:section_id>", SectionView.as_view()),
    path("boards/<str:board_id>/sections/<str:section_id>/pins", SectionPinsView.as_view()),
    path("pins", PinsView.as_view()),
    path("pins/<str:pin_id>", PinView.as_view()),
    path("pins/<str:pin_id>/save", PinSaveView.as_view()),
    path("pins/<str:pin_id>/related", PinRelatedView.as_view()),
    path("search/pins", PinSearchView.as_view()),
    path("search/boards", BoardSearchView.as_view()),
    path("media", MediaView.as_view()),
    path("media/<str:media_id>", MediaDetailView.as_view()),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"", unknown_endpoint),
]
