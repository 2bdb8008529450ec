"""WSGI entry point (served by waitress through ``minesweep serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minesweep.settings")
application = get_wsgi_application()
