from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import AccessTokenForm, SignupForm
from accounts.models import AccessToken
from accounts.rate_limit import RateLimited, login_attempt, token_create_attempt
from accounts.selectors import access_tokens_of
from accounts.services import access_token_create, access_token_revoke


@never_cache
@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """Access tokens: a new token is shown on this response only, never again."""
    form = AccessTokenForm(request.POST or None)
    issued, limited = None, None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            token_create_attempt(user=request.user)
            issued = access_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except RateLimited as exc:
            limited = exc
            form.add_error(None, f"Too many tokens created; {exc.try_again}.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = AccessTokenForm()
    response = render(
        request,
        "accounts/settings.html",
        {"form": form, "issued": issued, "tokens": access_tokens_of(request.user)},
        status=429 if limited else 200,
    )
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(AccessToken, pk=token_id, user=request.user, revoked_at__isnull=True)
    access_token_revoke(token=token, user=request.user)
    messages.success(request, f"Revoked “{token.name}”.")
    return redirect("settings")


def signup_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! Create a board to start.")
        return redirect("board_create")
    return render(request, "registration/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's login, which stops checking passwords for a username or an address after too
    many failures."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        try:
            self.attempt = login_attempt(request, username=username)
        except RateLimited as exc:
            # The password is not even checked: a correct guess must not be told apart.
            form = self.get_form_class()(request, initial={"username": username})
            context = self.get_context_data(
                form=form, refused=f"Too many login attempts; {exc.try_again}."
            )
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        self.attempt.forgive()
        return super().form_valid(form)
