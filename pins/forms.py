from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from boards.models import BoardSection
from boards.selectors import boards_writable_by

ACCEPTED_TYPES = "image/jpeg,image/png,image/gif,image/webp"


class BoardChoiceMixin:
    """A board chosen among the user's own, and optionally one of its sections."""

    def _limit_boards(self, user: User) -> None:
        self.fields["board"].queryset = boards_writable_by(user)
        self.fields["section"].queryset = BoardSection.objects.filter(board__owner=user)

    def clean(self) -> dict:
        cleaned = super().clean()
        board, section = cleaned.get("board"), cleaned.get("section")
        if board is not None and section is not None and section.board_id != board.pk:
            self.add_error("section", "That section belongs to another board.")
        return cleaned


class PinCreateForm(BoardChoiceMixin, forms.Form):
    # A plain FileField: the media pipeline identifies and checks the bytes itself.
    image = forms.FileField(
        required=False,
        help_text="JPEG, PNG, GIF or WebP.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_TYPES}),
    )
    image_url = forms.CharField(
        required=False,
        max_length=2048,
        label="Or paste a web address",
        help_text="The server fetches it; a page URL works too when it names its image.",
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    board = forms.ModelChoiceField(queryset=None, empty_label=None)
    section = forms.ModelChoiceField(queryset=None, required=False, empty_label="No section")
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
        self._limit_boards(user)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("image") and not cleaned.get("image_url"):
            raise ValidationError("Choose an image file or give an image URL.")
        if cleaned.get("image") and cleaned.get("image_url"):
            raise ValidationError("Choose an image file or give an image URL, not both.")
        return cleaned


class PinEditForm(BoardChoiceMixin, forms.Form):
    title = forms.CharField(max_length=100, required=False)
    description = forms.CharField(
        max_length=800, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    link = forms.URLField(max_length=2048, required=False, assume_scheme="https")
    alt_text = forms.CharField(max_length=500, required=False, label="Alt text")
    board = forms.ModelChoiceField(queryset=None, empty_label=None)
    section = forms.ModelChoiceField(queryset=None, required=False, empty_label="No section")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._limit_boards(user)


class PinSaveForm(BoardChoiceMixin, forms.Form):
    board = forms.ModelChoiceField(queryset=None, empty_label=None)
    section = forms.ModelChoiceField(queryset=None, required=False, empty_label="No section")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._limit_boards(user)
