from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
        # This app's part of "My data" (export, and erasure on account deletion).
        from applicants.personal_data import register

        from . import personal_data

        register(exporter=personal_data.export, eraser=personal_data.erase)
