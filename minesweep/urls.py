"""URLs: each app owns its paths in ``minesweep/<app>/urls.py`` (full paths, mounted at the root)."""

import importlib

from django.urls import include, path

from minesweep.api import api

APPS_WITH_PAGES = (
    "accounts",
    "registry",
    "audit",
    "reports",
    "cases",
    "credit",
    "documents",
    "detection",
    "oversight",
    "jobs",
)


def _app_urls() -> list:
    """Include every app's ``urls`` module that exists (an app may have no pages yet)."""
    included = []
    for app in APPS_WITH_PAGES:
        module = f"minesweep.{app}.urls"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        prefix = {"accounts": "accounts/", "registry": "registry/", "audit": "audit/"}.get(app, "")
        included.append(path(prefix, include(module)))
    return included


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    *_app_urls(),
    path("", include("minesweep.web.urls")),
]

handler400 = "minesweep.web.views.bad_request"
handler403 = "minesweep.web.views.forbidden"
handler404 = "minesweep.web.views.not_found"
handler500 = "minesweep.web.views.server_error"
