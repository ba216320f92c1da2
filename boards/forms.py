from django import forms

from boards.models import Board


class BoardForm(forms.Form):
    name = forms.CharField(max_length=180)
    description = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    secret = forms.BooleanField(
        required=False, help_text="Only you can see a secret board and its pins."
    )

    @property
    def privacy(self) -> str:
        return Board.Privacy.SECRET if self.cleaned_data["secret"] else Board.Privacy.PUBLIC


class SectionForm(forms.Form):
    name = forms.CharField(max_length=180, label="Section name")
