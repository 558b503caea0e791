"""axe-core in the browser tests: inject the pinned axe.min.js (tests/package.json, installed by
`make test` with npm ci; never served by the portal) and report serious and critical violations."""

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 A and AA rules (axe's tags), the target of issue 19.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def require_axe() -> None:
    if not AXE_JS.exists():
        message = f"{AXE_JS} is missing: run `make test` (it runs `npm ci` in tests/)."
        if os.environ.get("PORTAL_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)


def audit(page) -> list[str]:
    """The page's serious and critical violations, one line each: rule, impact, where."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    lines = []
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            lines.append(f"{page.url} {violation['id']} ({violation['impact']}): {targets}")
    return lines
