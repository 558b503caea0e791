"""Nothing forwards. Backwards, before 0003 makes the user columns NOT NULL again, delete the rows
addressed to e-mail addresses (letter writers' reminders and opt-outs): the old schema cannot hold
them. A migration of its own because PostgreSQL refuses an ALTER TABLE in the transaction that
deleted rows with deferred foreign-key checks still pending."""

from django.db import migrations


def drop_address_rows(apps, schema_editor):
    apps.get_model("notifications", "Reminder").objects.filter(recipient__isnull=True).delete()
    apps.get_model("notifications", "NotificationPreference").objects.filter(user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_reminders_to_addresses")]

    operations = [migrations.RunPython(migrations.RunPython.noop, drop_address_rows)]
