"""ModuleBench settings: everything that differs between machines comes from the environment."""

from pathlib import Path

import dj_database_url

from apps.engine.placeholders import ALLOWED_SQL_TYPES
from project.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEFAULT_DATABASE_URL = "postgres://modulebench:modulebench@127.0.0.1:5432/modulebench"
DEFAULT_WORKSPACE_URL = "postgres://modulebench:modulebench@127.0.0.1:5432/modulebench_workspace"
PG_SCHEMES = ("postgres", "postgresql")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "modulebench-local-development-key-change-me-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"])

DATABASE_URL = env_url("DATABASE_URL", DEFAULT_DATABASE_URL, schemes=PG_SCHEMES)
WORKSPACE_DATABASE_URL = env_url("WORKSPACE_DATABASE_URL", DEFAULT_WORKSPACE_URL, schemes=PG_SCHEMES)
REDIS_URL = env_url("REDIS_URL", "redis://127.0.0.1:6379/0", schemes=("redis", "rediss", "unix"))
# Lets concurrent test runs and deployments share one Redis without hearing each other.
REDIS_PREFIX = env_str("REDIS_PREFIX", "mb")

# A pool of connections per process (ASGI serves each request in a fresh thread, so persistent
# connections would mean a new PostgreSQL connection per request); the pool needs CONN_MAX_AGE=0.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)}
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 20, "timeout": 10}
# JIT compilation of the app's larger queries (e.g. the recursive module-status query) costs ~0.7 s
# per query and never pays off at the app database's sizes; it sat on every run's start and end.
DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the app, not a CDN (issue 14)
    "channels",
    "apps.live.apps.LiveConfig",
    "apps.accounts.apps.AccountsConfig",
    "apps.datasets.apps.DatasetsConfig",
    "apps.moduletypes.apps.ModuleTypesConfig",
    "apps.modules.apps.ModulesConfig",
    "apps.runs.apps.RunsConfig",
    "apps.locks.apps.LocksConfig",
]

MIDDLEWARE = [
    "apps.api.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

FRONTEND_DIST = BASE_DIR / "frontend" / "dist"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

ASGI_APPLICATION = "project.asgi.application"

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".local" / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.exists() else None
WHITENOISE_INDEX_FILE = False

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)
CSRF_COOKIE_HTTPONLY = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ModuleBench API",
    "DESCRIPTION": "Module types, modules, datasets and runs. Errors are {code, message, details}.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ loads Swagger UI from our own static files: an offline deployment reaches no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema is the frontend's contract (`make api-types`): request bodies get components of their
    # own (`...Request`), so a read-only or defaulted field is optional there and present in responses.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"SlotMode": ["IN", "INOUT", "OUT"], "RunMode": "apps.runs.models.Run.Mode",
                            "RunResult": "apps.runs.models.Result", "ImportMode": ["replace", "append"],
                            "CompareResult": ["MATCH", "DIFFERENT", "FIRST ONLY", "SECOND ONLY"],
                            "DatasetDirection": ["IN", "OUT"], "ModuleTypeKind": "apps.moduletypes.models.ModuleType.Kind",
                            "ModuleStatusName": ["UpToDate", "OutOfDate"], "HealthStatus": ["ok", "degraded"],
                            "AggregationSqlField": ["aggregate_sql", "process_sql", "clear_sql"]},
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 defaults socket_timeout to 5 s, shorter than channels_redis' 5 s blocking pop:
        # idle WebSockets would be torn down every 5 s (django/channels_redis#422).
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}], "prefix": f"{REDIS_PREFIX}:asgi"},
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = f"{REDIS_PREFIX}-default"
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_PREFIX}:"}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_PREFIX}:"}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# SQL types offered for dataset columns and parameters (DESIGN §3); configurable, comma-separated.
SQL_TYPES = env_list(
    "SQL_TYPES",
    ["integer", "bigint", "double precision", "numeric", "varchar", "text", "boolean", "date", "timestamp"],
    allowed=ALLOWED_SQL_TYPES,  # the engine declares parameters with these; others could not run
)
# Request bodies (ASGI) and uploaded files above this size are spooled to temporary files, never
# held in memory: a CSV import streams from the uploaded temporary file into COPY.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# A run step's hard deadline: the watchdog cancels, then terminates, its SQL backend (DESIGN §5).
RUN_DEADLINE_SECONDS = env_int("RUN_DEADLINE_SECONDS", 600, minimum=1)
# A run's log (apps/runs/recorder.py): its first RUN_LOG_LINES/2 lines and its last ones are kept, with
# one line saying how many (and how many bytes) were dropped between them; at most RUN_LOG_BYTES of
# messages in all; any single message, and a run's or step's error message, detail and hint, is cut
# to RUN_LOG_MESSAGE_BYTES with a "… (truncated, N bytes)" marker.
RUN_LOG_LINES = env_int("RUN_LOG_LINES", 1000, minimum=2)
RUN_LOG_BYTES = env_int("RUN_LOG_BYTES", 1_000_000, minimum=1024)
RUN_LOG_MESSAGE_BYTES = env_int("RUN_LOG_MESSAGE_BYTES", 16_384, minimum=256)
# A run step's resource caps (DESIGN §5, apps/engine/limits.py): its backend's private memory, its
# temporary files (PostgreSQL's temp_file_limit, set on the run role), what it writes into its
# outputs and scratch tables, and its entries in the cluster's shared lock table. Crossing one fails
# the run with a `resource_limit` error naming it.
RUN_MEMORY_MB = env_int("RUN_MEMORY_MB", 1024, minimum=16)
RUN_TEMP_MB = env_int("RUN_TEMP_MB", 2048, minimum=1)
RUN_OUTPUT_MB = env_int("RUN_OUTPUT_MB", 4096, minimum=1)
RUN_LOCKS = env_int("RUN_LOCKS", 1000, minimum=64)
