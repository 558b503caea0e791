import os

from django.core.wsgi import get_wsgi_application

from portal.gc_tuning import freeze_after_startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
application = get_wsgi_application()
freeze_after_startup()  # the loaded application: out of the collector's full passes (portal.gc_tuning)
