from django.urls import include, path

from minesweep.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounts/", include("minesweep.accounts.urls")),
    path("registry/", include("minesweep.registry.urls")),
    path("audit/", include("minesweep.audit.urls")),
    path("", include("minesweep.web.urls")),
]

handler400 = "minesweep.web.views.bad_request"
handler403 = "minesweep.web.views.forbidden"
handler404 = "minesweep.web.views.not_found"
handler500 = "minesweep.web.views.server_error"
