"""Applicant profiles and documents (issue: Applicants)."""
