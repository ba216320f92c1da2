from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import User
from boards.forms import BoardForm
from boards.selectors import board_for_page, boards_of_owner
from boards.services import board_create
from pins.selectors import grid_page, pins_of_board


@login_required
def board_create_view(request: HttpRequest) -> HttpResponse:
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            board = board_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                privacy=form.privacy,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(board)
    return render(request, "boards/create.html", {"form": form})


def profile_view(request: HttpRequest, username: str) -> HttpResponse:
    owner = get_object_or_404(User, username__iexact=username, is_active=True)
    boards = boards_of_owner(owner=owner, viewer=request.user)
    return render(request, "boards/profile.html", {"profile_user": owner, "boards": boards})


def board_detail_view(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    board = board_for_page(username=username, slug=slug, viewer=request.user)
    page = grid_page(pins_of_board(board), before=request.GET.get("before"))
    return render(
        request,
        "boards/detail.html",
        {"board": board, "page": page, "is_owner": board.owner_id == request.user.pk},
    )
