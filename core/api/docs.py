"""The API's documentation pages: Swagger UI and ReDoc, from drf-spectacular-sidecar's local copies.

Both draw with inline styles (ReDoc's styled-components, Swagger UI's `<style>` element), which the
site's Content-Security-Policy forbids. These two views, and only they, add `'unsafe-inline'` to
`style-src` (and ReDoc `blob:` workers for its search); scripts stay `'self'` (the split Swagger view
serves its start-up script as a file, and api_docs/redoc-local.js keeps ReDoc from fetching Redocly's
logo from their CDN).
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_CSP = {"style-src": ["'unsafe-inline'"]}
# ReDoc's search index runs in a Web Worker it creates from a blob: URL.
REDOC_CSP = {**DOCS_CSP, "worker-src": ["'self'", "blob:"]}


@method_decorator(csp_update(REDOC_CSP), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "api_docs/redoc.html"  # drf-spectacular's, without Google Fonts


@method_decorator(csp_update(DOCS_CSP), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    pass
