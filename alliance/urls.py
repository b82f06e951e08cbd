from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from core.api.docs import RedocView, SwaggerView

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("registry.api.urls")),
    path("", include("matching.api.urls")),
    path("", include("review.api.urls")),
    path("", include("compliance.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("events.api.urls")),
    path("", include("directory.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]

# A URL no view matches under /api/ answers the JSON error shape (found by the schemathesis run).
handler404 = "core.api.errors.not_found"
# And a server error there answers JSON too; the pages get templates/500.html (web/templates).
handler500 = "core.api.errors.server_error"
# A request Django refuses as suspicious (a body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413, too many
# fields: 400) answers JSON under /api/ too; the pages keep Django's 400 page.
handler400 = "core.api.errors.bad_request"
