"""Print how many refusals the HTML access matrix asserts: `python -m tests.security.access_matrix_count`.

docs/security.md quotes this number; test_the_security_doc_states_how_many_refusals_hold keeps it true.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
django.setup()

from tests.security.access_matrix import refusal_cases  # noqa: E402

if __name__ == "__main__":
    cases = refusal_cases()
    routes = len({case.group for case in cases})
    print(f"{len(cases):,} refusals over {routes} route groups")
