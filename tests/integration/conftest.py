from tests.notifications.conftest import reference_data  # noqa: F401  (seeded specialties and visas)
