import pytest


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Each test stores files in its own private folder, so what is on disk can be counted."""
    root = tmp_path / "media"
    # Django's setting_changed handler resets default_storage when STORAGES changes.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
