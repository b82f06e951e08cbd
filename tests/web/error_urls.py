"""The site's URLs plus one view that fails, to see the 500 page (tests/web/test_error_pages.py)."""

from django.urls import path

from alliance.urls import handler404, handler500  # noqa: F401 - Django reads them here
from alliance.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), *site_urlpatterns]
