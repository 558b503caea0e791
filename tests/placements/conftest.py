import pytest


@pytest.fixture
def page_rendered_each_time(monkeypatch):
    """For tests that read the search's context (its counts, its order): keep the rendered-output
    cache (tests/placements/search/test_render_cache.py) from answering an anonymous page whole."""
    from placements.search import render_cache

    monkeypatch.setattr(render_cache, "serves_from_cache", lambda user: False)
