from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe

from boards.selectors import boards_search, boards_writable_by
from catalog.enhanced import form_errors, from_script
from follows.selectors import home_stream
from media_pipeline.colors import PALETTE, ColorError, parse_hex_color
from pins.forms import PinCreateForm, PinEditForm, PinSaveForm
from pins.models import Pin
from pins.selectors import (
    grid_page,
    pin_duplicate_of,
    pin_for_page,
    pins_by_color,
    pins_for_grid,
    pins_near_color,
    pins_related,
    pins_search,
    pins_visible_to,
    ranked_page,
    saved_from,
)
from pins.services import pin_create, pin_delete, pin_save, pin_update

SEARCH_BOARDS_SHOWN = 12


def _grid(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A page with a pin grid, or just the next cards for infinite scroll."""
    if from_script(request):
        return render(request, "shared/grid_page.html", context)
    return render(request, template, context)


@require_safe
def home_view(request: HttpRequest) -> HttpResponse:
    """Signed in: the pins of followed boards and people ("Your feed"), or everything with
    `?all=1`; anonymous, or with nothing followed or saved: everything."""
    stream = home_stream(viewer=request.user, everything=request.GET.get("all") == "1")
    page = grid_page(stream.pins, before=request.GET.get("before"))
    return _grid(request, "pins/home.html", {"page": page, "stream": stream})


@require_safe
def pin_detail_view(request: HttpRequest, pin_id: int) -> HttpResponse:
    pin = pin_for_page(pin_id=pin_id, viewer=request.user)
    return render(
        request,
        "pins/detail.html",
        {
            "pin": pin,
            "is_owner": pin.owner_id == request.user.pk,
            "saved_from": saved_from(pin, request.user),
            # Only its owner is told; known once the image's hash is (at once for uploads).
            "duplicate_of": (
                pin_duplicate_of(pin, request.user) if pin.owner_id == request.user.pk else None
            ),
            "related": pins_related(pin=pin, viewer=request.user),
            "link_domain": pin.link_domain,
            # For the plain Save form that works without JavaScript.
            "boards": boards_writable_by(request.user) if request.user.is_authenticated else [],
        },
    )


@require_safe
def pin_card_view(request: HttpRequest, pin_id: int) -> HttpResponse:
    """One card, for pages that poll until a new pin's image is ready."""
    pin = pin_for_page(pin_id=pin_id, viewer=request.user)
    return render(request, "shared/pin_card.html", {"pin": pin})


@login_required
def pin_builder_view(request: HttpRequest) -> HttpResponse:
    if not boards_writable_by(request.user).exists():
        messages.info(request, "Create a board first: pins live on boards.")
        return redirect(f"{reverse('board_create')}?next={reverse('pin_builder')}")
    initial = {
        "board": request.GET.get("board"),
        "section": request.GET.get("section"),
        "image_url": request.GET.get("media", ""),
        "link": request.GET.get("url", ""),
        "title": request.GET.get("title", "")[:100],
    }
    form = PinCreateForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                pin = pin_create(
                    owner=request.user,
                    board=data["board"],
                    section=data["section"],
                    upload=data["image"] or None,
                    image_url=data["image_url"] or None,
                    title=data["title"],
                    description=data["description"],
                    link=data["link"],
                    alt_text=data["alt_text"],
                )
            except ValidationError as exc:
                _attach_pipeline_error(form, exc)
            else:
                _tell_about_duplicate(request, pin)
                board_url = data["board"].get_absolute_url()
                if from_script(request):
                    return JsonResponse(
                        {"pin_url": pin.get_absolute_url(), "board_url": board_url}, status=201
                    )
                return redirect(board_url)
        if from_script(request):
            return form_errors(form)
    return render(
        request,
        "pins/builder.html",
        {"form": form, "suggested_images": _bookmarklet_images(request)},
    )


def _tell_about_duplicate(request: HttpRequest, pin: Pin) -> None:
    """Shown on the next page: the script follows the same redirect target."""
    duplicate = pin_duplicate_of(pin, request.user)
    if duplicate is not None:
        messages.info(
            request,
            format_html(
                'You already saved this to {}. <a href="{}">See the earlier pin</a>.',
                duplicate.board.name,
                duplicate.get_absolute_url(),
            ),
        )


def _attach_pipeline_error(form: PinCreateForm, exc: ValidationError) -> None:
    """The pipeline's refusal ("not an image", "file over 20 MB") belongs next to its field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = {"url": "image_url", "board_section_id": "section"}.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error("image_url" if form.cleaned_data.get("image_url") else "image", exc)


def _bookmarklet_images(request: HttpRequest) -> list[str]:
    """Large images the bookmarklet found on a page, offered as choices (http and https only)."""
    images = request.GET.getlist("image")[:24]
    return [url for url in images if url.startswith(("https://", "http://")) and len(url) < 2048]


@login_required
def pin_edit_view(request: HttpRequest, pin_id: int) -> HttpResponse:
    pin = pin_for_page(pin_id=pin_id, viewer=request.user)
    if pin.owner_id != request.user.pk:
        raise PermissionDenied("Only the pin's owner can edit it.")
    form = PinEditForm(
        request.POST or None,
        user=request.user,
        initial={
            "title": pin.title,
            "description": pin.description,
            "link": pin.link,
            "alt_text": pin.alt_text,
            "board": pin.board_id,
            "section": pin.section_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pin_update(
                pin=pin,
                user=request.user,
                title=data["title"],
                description=data["description"],
                link=data["link"],
                alt_text=data["alt_text"],
                board=data["board"],
                section=data["section"],
                clear_section=data["section"] is None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Pin saved.")
            return redirect(pin)
    return render(request, "pins/edit.html", {"form": form, "pin": pin})


@login_required
def pin_delete_view(request: HttpRequest, pin_id: int) -> HttpResponse:
    pin = pin_for_page(pin_id=pin_id, viewer=request.user)
    if pin.owner_id != request.user.pk:
        raise PermissionDenied("Only the pin's owner can delete it.")
    if request.method == "POST":
        board_url = pin.board.get_absolute_url()
        pin_delete(pin=pin, user=request.user)
        messages.success(request, "Pin deleted.")
        return redirect(board_url)
    return render(request, "pins/delete.html", {"pin": pin})


@require_POST
@login_required
def pin_save_view(request: HttpRequest, pin_id: int) -> HttpResponse:
    """Save a visible pin to one of my boards; saving it there again changes nothing."""
    pin = pin_for_page(pin_id=pin_id, viewer=request.user)
    form = PinSaveForm(request.POST, user=request.user)
    if not form.is_valid():
        if from_script(request):
            return form_errors(form)
        messages.error(request, "Choose one of your boards to save to.")
        return redirect(pin)
    board = form.cleaned_data["board"]
    saved, created = pin_save(
        pin=pin, board=board, user=request.user, section=form.cleaned_data["section"]
    )
    if from_script(request):
        return JsonResponse(
            {
                "created": created,
                "pin_url": saved.get_absolute_url(),
                "board": {"name": board.name, "url": board.get_absolute_url()},
            },
            status=201 if created else 200,
        )
    messages.success(request, f"Saved to {board.name}." if created else f"Already on {board.name}.")
    return redirect(pin)


@require_safe
def search_view(request: HttpRequest) -> HttpResponse:
    # Parsed unstripped: a query ending in a word (no trailing space) matches its prefix.
    text = request.GET.get("q", "").replace("\x00", "")[:200]
    query = text.strip()
    color, color_error = _chosen_color(request)
    context: dict = {"query": query, **_palette_context(color, color_error)}
    # A colour narrows the pins before ranking (with words) or is the ranking (alone).
    among = pins_near_color(Pin.objects.all(), color) if color else None
    if query:
        context["page"] = ranked_page(
            lambda start, count: pins_search(
                query=text,
                viewer=request.user,
                among=among,
                grid=True,
                offset=start,
                limit=count,
            ),
            offset=request.GET.get("offset"),
        )
        if not from_script(request) and not color:  # boards have no colour to match
            context["boards"] = boards_search(
                query=text, viewer=request.user, limit=SEARCH_BOARDS_SHOWN
            )
    elif color:
        nearest = pins_for_grid(pins_by_color(pins_visible_to(request.user), color))
        context["page"] = ranked_page(
            lambda start, count: list(nearest[start : start + count]),
            offset=request.GET.get("offset"),
        )
    return _grid(request, "pins/search.html", context)


def _chosen_color(request: HttpRequest) -> tuple[str | None, str]:
    """The palette's choice as #rrggbb (its "Custom" chip means the colour input's value), or
    None, and what is wrong with it, if anything."""
    raw = request.GET.get("color", "")
    if raw == "custom":
        raw = request.GET.get("custom_color", "")
    if not raw.strip():
        return None, ""
    try:
        return parse_hex_color(raw), ""
    except ColorError as exc:
        return None, f"Choose a colour from the palette: {exc}."


def _palette_context(color: str | None, error: str) -> dict:
    custom = color is not None and color not in {swatch.hex for swatch in PALETTE}
    return {
        "palette": PALETTE,
        "color": color or "",
        "color_is_custom": custom,
        "custom_color": color if custom else "#cc3333",
        "color_error": error,
    }
