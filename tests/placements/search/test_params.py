"""Whatever a link carries, the search page answers 200 and says what it ignored."""

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placements.search import FILTERS, parse_params

PARAMS = [f.param for f in FILTERS] + ["sort", "page", "utm_source"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(PARAMS), st.text(max_size=60), max_size=6))
def test_any_query_string_gives_a_page_never_a_500(client, db, query):
    response = client.get(reverse("placements:search"), query)
    assert response.status_code == 200


def test_valid_parameters_are_kept_and_bad_ones_named():
    params = parse_params({"state": "IL", "fee_max": "$2,500", "kind": "spaceflight", "page": "2", "utm_source": "x"})
    assert params.values["state"] == "IL"
    assert str(params.values["fee_max"]) == "2500"
    assert "kind" not in params.values
    assert params.page == 2
    assert len(params.notes) == 1 and "Type" in params.notes[0]


def test_control_characters_are_dropped_before_reaching_the_database(client, db):
    response = client.get(reverse("placements:search"), {"q": "cardio\x00logy", "specialty": "\x00", "state": "I\x00L"})
    assert response.status_code == 200
    assert response.context["params"].values == {"q": "cardiology", "state": "IL"}
