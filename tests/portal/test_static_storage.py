"""portal.storage: the production static storage serves the hashed names of the manifest, each URL
worked out once."""

import json

import pytest

from portal.storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "portal.abc123.css").write_text("body {}")
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/portal.css": "css/portal.abc123.css"}, "version": "1.1", "hash": "x"})
    )
    return StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_a_url_is_the_hashed_name_and_is_worked_out_once(storage, monkeypatch):
    assert storage.url("css/portal.css") == "/static/css/portal.abc123.css"
    monkeypatch.setattr(storage, "stored_name", lambda name: pytest.fail("looked up again"))
    assert storage.url("css/portal.css") == "/static/css/portal.abc123.css"


def test_a_file_missing_from_the_manifest_still_fails_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError):
            storage.url("css/missing.css")
