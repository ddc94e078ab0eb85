"""Serves the built single-page app for every non-API path; the SPA routes on the client."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import ensure_csrf_cookie

from apps.api.errors import error_body


@ensure_csrf_cookie
def spa_index(request: HttpRequest, path: str = "") -> HttpResponse:
    index = settings.FRONTEND_DIST / "index.html"
    if not index.exists():
        return HttpResponse(
            "The frontend is not built. Run `make run` (it builds frontend/dist).",
            status=503,
            content_type="text/plain",
        )
    return HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return JsonResponse(error_body("not_found", f"There is no API endpoint at /api/{path}."), status=404)
