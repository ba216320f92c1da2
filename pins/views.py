from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from boards.selectors import boards_writable_by
from pins.forms import PinCreateForm
from pins.selectors import grid_page, pin_for_page, pins_for_home
from pins.services import pin_create


def home_view(request: HttpRequest) -> HttpResponse:
    page = grid_page(pins_for_home(request.user), before=request.GET.get("before"))
    return render(request, "pins/home.html", {"page": page})


def pin_detail_view(request: HttpRequest, pin_id: int) -> HttpResponse:
    pin = pin_for_page(pin_id=pin_id, viewer=request.user)
    return render(
        request, "pins/detail.html", {"pin": pin, "is_owner": pin.owner_id == request.user.pk}
    )


@login_required
def pin_builder_view(request: HttpRequest) -> HttpResponse:
    if not boards_writable_by(request.user).exists():
        return redirect("board_create")
    form = PinCreateForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"board": request.GET.get("board")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pin_create(
                owner=request.user,
                board=data["board"],
                upload=data["image"],
                title=data["title"],
                description=data["description"],
                link=data["link"],
                alt_text=data["alt_text"],
            )
        except ValidationError as exc:
            # The pipeline's refusal ("not an image", "file over 20 MB") belongs to the file field.
            if hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                form.add_error("image", exc)
        else:
            return redirect(data["board"])
    return render(request, "pins/builder.html", {"form": form})
