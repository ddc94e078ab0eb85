from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from apps.accounts.views import LoginView, LogoutView, MeView, ProjectViewSet, TokenView
from apps.api.health import HealthView
from apps.api.spa import api_not_found, spa_index
from apps.datasets.views import DatasetTypeViewSet, DatasetViewSet
from apps.modules.views import ModuleViewSet
from apps.moduletypes.views import ModuleTypeVersionViewSet, ModuleTypeViewSet, SqlTypesView
from apps.runs.views import RunViewSet

router = SimpleRouter()
router.trailing_slash = "/?"  # accept /api/things and /api/things/ alike
router.register("projects", ProjectViewSet, basename="project")
router.register("dataset-types", DatasetTypeViewSet, basename="dataset-type")
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("module-types", ModuleTypeViewSet, basename="module-type")
router.register("module-type-versions", ModuleTypeVersionViewSet, basename="module-type-version")
router.register("modules", ModuleViewSet, basename="module")
router.register("runs", RunViewSet, basename="run")

api_urls: list[URLPattern | URLResolver] = [
    path("auth/login", LoginView.as_view(), name="auth-login"),
    path("auth/logout", LogoutView.as_view(), name="auth-logout"),
    path("auth/token", TokenView.as_view(), name="auth-token"),
    path("me", MeView.as_view(), name="me"),
    path("health", HealthView.as_view(), name="health"),
    path("sql-types", SqlTypesView.as_view(), name="sql-types"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include(router.urls)),
    re_path(r"^(?P<path>.*)$", api_not_found),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_urls)),
    re_path(r"^(?!api/|admin/|static/|ws/)(?P<path>.*)$", spa_index),
]
