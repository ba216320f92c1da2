from django import forms

from accounts.models import User
from boards.selectors import boards_writable_by


class PinCreateForm(forms.Form):
    # A plain FileField: the media pipeline identifies and checks the bytes itself.
    image = forms.FileField(
        help_text="JPEG, PNG, GIF or WebP.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    board = forms.ModelChoiceField(queryset=None, empty_label=None)
    title = forms.CharField(max_length=100, required=False)
    description = forms.CharField(
        max_length=800, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    link = forms.URLField(max_length=2048, required=False, assume_scheme="https")
    alt_text = forms.CharField(
        max_length=500,
        required=False,
        label="Alt text",
        help_text="Describe the image for people who cannot see it.",
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards_writable_by(user)
