from django import forms
from django.utils.translation import gettext_lazy as _


class AddCoordinatorForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
