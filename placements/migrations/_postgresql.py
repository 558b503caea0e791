"""For this app's migrations whose SQL only PostgreSQL runs (triggers, functions, their locks): SQLite
has neither, and computes what they maintain in Python. The migration loader skips modules whose name
starts with an underscore; migrations import this one by name, so it keeps meaning what they were
written against."""


def run_on_postgresql(statements):
    """A RunPython function that executes `statements` in order on PostgreSQL, and nothing elsewhere."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run
