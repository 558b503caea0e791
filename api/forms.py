from django import forms
from django.utils.translation import gettext_lazy as _


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("Where you will use it, e.g. “Phone app”."))
