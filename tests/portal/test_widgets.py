"""QuickSelect: the same HTML as Django's Select, so a form using it looks and submits the same."""

from django import forms

from portal.widgets import QuickSelect


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Any"), ("1", 'Cardiology <Chicago> & "co"'), ("2", "Pediatrics")])
    grouped = forms.TypedChoiceField(
        required=False,
        coerce=int,
        choices=[("", "Any"), ("Illinois & co", [(3, "Rush"), (4, "Loyola")]), ("Texas", [(5, "Baylor")])],
        help_text="Pick one",
    )


def _rendered(data, widget_class):
    form = _Form(data)
    form.is_valid()
    for field in form.fields.values():
        field.widget = widget_class(attrs=field.widget.attrs, choices=field.widget.choices)
    return [str(form[name]) for name in form.fields]


def test_quick_select_renders_what_djangos_select_renders():
    for data in (None, {"plain": "1", "grouped": "4"}, {"plain": "nonsense"}):
        quick, django = _rendered(data, QuickSelect), _rendered(data, forms.Select)
        assert quick == django
    # The escaping is there (a listing title is coordinator input), and the chosen option is selected.
    quick = _rendered({"plain": "1", "grouped": "4"}, QuickSelect)
    assert "Cardiology &lt;Chicago&gt; &amp; &quot;co&quot;" in quick[0]
    assert '<option value="4" selected>Loyola</option>' in quick[1]
    assert 'aria-invalid="true"' in _rendered({"plain": "nonsense"}, QuickSelect)[0]
