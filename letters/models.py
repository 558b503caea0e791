"""Letters of recommendation (issue: Letters)."""
