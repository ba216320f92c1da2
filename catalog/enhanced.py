"""Progressive enhancement: the same view answers a plain form post with a redirect, and a
request from our scripts (`X-Requested-With: fetch`) with JSON or a partial."""

from django.forms import Form
from django.http import HttpRequest, JsonResponse


def from_script(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def form_errors(form: Form, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": form.errors.get_json_data()}, status=status)
