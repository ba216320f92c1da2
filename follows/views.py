from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from boards.models import Board
from boards.selectors import board_for_page
from catalog.enhanced import from_script, safe_next
from follows.selectors import followers_of, following_of, people_page
from follows.services import board_follow, board_unfollow, user_follow, user_unfollow


def _profile_user(username: str) -> User:
    return get_object_or_404(User, username__iexact=username, is_active=True)


def _answer(
    request: HttpRequest, *, following: bool, follower_count: int, fallback: str
) -> HttpResponse:
    """JSON for follow.js, a redirect back to the page for a plain form."""
    if from_script(request):
        return JsonResponse({"following": following, "follower_count": follower_count})
    return redirect(safe_next(request) or fallback)


def _refused(request: HttpRequest, exc: ValidationError, fallback: str) -> HttpResponse:
    message = " ".join(exc.messages)
    if from_script(request):
        return JsonResponse({"error": message}, status=400)
    messages.error(request, message)
    return redirect(safe_next(request) or fallback)


def _toggle_user(request: HttpRequest, username: str, *, follow: bool) -> HttpResponse:
    followee = _profile_user(username)
    fallback = reverse("profile", args=[followee.username])
    if not request.user.is_authenticated:
        # A login redirect to this POST-only URL would end in a 405; return to the page instead.
        return redirect_to_login(safe_next(request) or fallback)
    try:
        if follow:
            user_follow(follower=request.user, followee=followee)
        else:
            user_unfollow(follower=request.user, followee=followee)
    except ValidationError as exc:
        return _refused(request, exc, fallback)
    followee.refresh_from_db(fields=["follower_count"])
    return _answer(
        request, following=follow, follower_count=followee.follower_count, fallback=fallback
    )


def _toggle_board(request: HttpRequest, username: str, slug: str, *, follow: bool) -> HttpResponse:
    board = board_for_page(username=username, slug=slug, viewer=request.user)
    fallback = board.get_absolute_url()
    if not request.user.is_authenticated:
        return redirect_to_login(safe_next(request) or fallback)
    try:
        if follow:
            board_follow(follower=request.user, board=board)
        else:
            board_unfollow(follower=request.user, board=board)
    except ValidationError as exc:
        return _refused(request, exc, fallback)
    count = Board.objects.values_list("follower_count", flat=True).get(pk=board.pk)
    return _answer(request, following=follow, follower_count=count, fallback=fallback)


@require_POST
def user_follow_view(request: HttpRequest, username: str) -> HttpResponse:
    return _toggle_user(request, username, follow=True)


@require_POST
def user_unfollow_view(request: HttpRequest, username: str) -> HttpResponse:
    return _toggle_user(request, username, follow=False)


@require_POST
def board_follow_view(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    return _toggle_board(request, username, slug, follow=True)


@require_POST
def board_unfollow_view(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    return _toggle_board(request, username, slug, follow=False)


@require_safe
def followers_view(request: HttpRequest, username: str) -> HttpResponse:
    profile_user = _profile_user(username)
    page = people_page(followers_of(profile_user), before=request.GET.get("before"))
    people = [follow.follower for follow in page.follows]
    return render(
        request,
        "follows/people.html",
        {"profile_user": profile_user, "people": people, "page": page, "list": "followers"},
    )


@require_safe
def following_view(request: HttpRequest, username: str) -> HttpResponse:
    profile_user = _profile_user(username)
    page = people_page(following_of(profile_user), before=request.GET.get("before"))
    people = [follow.followee for follow in page.follows]
    return render(
        request,
        "follows/people.html",
        {"profile_user": profile_user, "people": people, "page": page, "list": "following"},
    )
