"""Progressive enhancement: the same view answers a plain form post with a redirect, and a
request from our scripts (`X-Requested-With: fetch`) with JSON or a partial."""

from django.forms import Form
from django.http import HttpRequest, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme


def from_script(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def form_errors(form: Form, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": form.errors.get_json_data()}, status=status)


def safe_next(request: HttpRequest) -> str | None:
    """The `next` page a form asks to return to, when it is on this site (never elsewhere)."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return None
