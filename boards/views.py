from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from boards.forms import BoardForm, SectionForm
from boards.models import Board
from boards.selectors import board_for_page, boards_for_picker, boards_of_owner
from boards.services import board_create, board_delete, board_update, section_create
from catalog.enhanced import form_errors, from_script, safe_next
from follows.selectors import is_following_board, is_following_user
from media_pipeline.colors import ColorError, parse_hex_color
from pins.selectors import grid_page, pins_near_color, pins_of_board


@login_required
def board_create_view(request: HttpRequest) -> HttpResponse:
    form = BoardForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
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
                if from_script(request):
                    return JsonResponse(
                        {"id": board.pk, "name": board.name, "url": board.get_absolute_url()},
                        status=201,
                    )
                return redirect(safe_next(request) or board.get_absolute_url())
        if from_script(request):
            return form_errors(form)
    return render(request, "boards/create.html", {"form": form, "next": safe_next(request)})


@require_safe
@login_required
def board_picker_view(request: HttpRequest) -> HttpResponse:
    """The save dialog's contents: my boards and their sections, and a create-board form."""
    return render(
        request,
        "boards/picker.html",
        {"boards": boards_for_picker(request.user), "pin_id": request.GET.get("pin", "")},
    )


@require_safe
def profile_view(request: HttpRequest, username: str) -> HttpResponse:
    owner = get_object_or_404(User, username__iexact=username, is_active=True)
    boards = boards_of_owner(owner=owner, viewer=request.user)
    return render(
        request,
        "boards/profile.html",
        {
            "profile_user": owner,
            "boards": boards,
            "is_me": owner.pk == request.user.pk,
            "following": is_following_user(follower=request.user, followee=owner),
        },
    )


@require_safe
def board_detail_view(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    board = board_for_page(username=username, slug=slug, viewer=request.user)
    sections = list(board.sections.all())
    pins = pins_of_board(board)
    section = None
    section_id = request.GET.get("section", "")
    if section_id.isdigit():
        section = next((s for s in sections if s.pk == int(section_id)), None)
        if section is not None:
            pins = pins.filter(section=section)
    color, color_error = _board_color(request)
    if color is not None:
        pins = pins_near_color(pins, color)  # filtered, in the board's order
    page = grid_page(pins, before=request.GET.get("before"))
    context = {
        "board": board,
        "sections": sections,
        "section": section,
        "page": page,
        "pin_count": board.pin_count,
        "is_owner": board.owner_id == request.user.pk,
        "section_form": SectionForm(),
        "following": is_following_board(follower=request.user, board=board),
        "color": color,
        "color_error": color_error,
    }
    if from_script(request):
        return render(request, "shared/grid_page.html", context)
    return render(request, "boards/detail.html", context)


def _board_color(request: HttpRequest) -> tuple[str | None, str]:
    """`?color=` as on search: the colour to filter by, or the reason it was ignored."""
    raw = request.GET.get("color", "")
    if not raw:
        return None, ""
    try:
        return parse_hex_color(raw), ""
    except ColorError as exc:
        return None, f"Showing every pin: {exc}."


def _owned_board(request: HttpRequest, username: str, slug: str) -> Board:
    board = board_for_page(username=username, slug=slug, viewer=request.user)
    if board.owner_id != request.user.pk:
        raise PermissionDenied("Only the board's owner can change it.")
    return board


@login_required
def board_edit_view(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    board = _owned_board(request, username, slug)
    form = BoardForm(
        request.POST or None,
        initial={"name": board.name, "description": board.description, "secret": board.is_secret},
    )
    if request.method == "POST" and form.is_valid():
        try:
            board = board_update(
                board=board,
                user=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                privacy=form.privacy,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Board saved.")
            return redirect(board)
    return render(request, "boards/edit.html", {"form": form, "board": board})


@login_required
def board_delete_view(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    board = _owned_board(request, username, slug)
    if request.method == "POST":
        name = board.name
        board_delete(board=board, user=request.user)
        messages.success(request, f"Deleted the board “{name}” and its pins.")
        return redirect("profile", request.user.username)
    return render(request, "boards/delete.html", {"board": board, "pin_count": board.pin_count})


@require_POST
@login_required
def section_create_view(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    board = _owned_board(request, username, slug)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            section = section_create(board=board, user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect(f"{board.get_absolute_url()}?section={section.pk}")
    else:
        messages.error(request, "Give the section a name.")
    return redirect(board)
