from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import AccessToken, User


class AccessTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="To recognise the token later, e.g. “backup script”."
    )
    scopes = forms.MultipleChoiceField(
        choices=AccessToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[AccessToken.Scope.BOARDS_READ, AccessToken.Scope.PINS_READ],
    )
    expires_in_days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        label="Expires after (days)",
        help_text="Leave empty for a token that lasts until you revoke it.",
    )


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username",)
