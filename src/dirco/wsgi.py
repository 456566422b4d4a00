"""WSGI entry point: ``gunicorn dirco.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dirco.settings")
application = get_wsgi_application()
