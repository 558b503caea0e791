"""Settings for the HTTP benchmarks (bench/throughput.py, bench/load_test.py): production's, plus a
URLconf with one benchmark-only view. Everything else comes from the environment, as in production:
the scripts state each variable they set (bench/server.py)."""

from portal.settings.production import *  # noqa: F403

# The production URLconf plus /bench/trivial/, so the production URLconf stays clean.
ROOT_URLCONF = "bench.urls"
