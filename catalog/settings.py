"""Settings for catalog, read from the environment (see `.env.example` for every variable).

With nothing set, the project runs on the embedded default: SQLite under `var/`, Celery tasks run
in-process after commit, files under `var/`. Set `DATABASE_URL` and `REDIS_URL` for PostgreSQL and
a real Celery worker.
"""

import ipaddress
import re
import secrets
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url

from catalog.env import ConfigError, env_bool, env_int, env_list, env_parsed, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ConfigError("SECRET_KEY is required when DEBUG is off")
    # A development key is generated once and kept, so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "catalog",
    "accounts",
    "boards",
    "pins",
    "media_pipeline",
    "follows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "catalog.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "catalog.response_cache.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "catalog.urls"
WSGI_APPLICATION = "catalog.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database(url: str) -> dict:
    scheme = urlparse(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ValueError("")
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if not config.get("NAME"):
        raise ValueError("the URL names no database")
    if scheme != "sqlite":
        # A request's queries take milliseconds: starting parallel workers or compiling a plan
        # (JIT) for one costs more than it saves, and the cores are better spent on requests.
        # The default random_page_cost (4) is for spinning disks: with the data in memory or on
        # SSD it makes PostgreSQL read a whole table rather than look up a few thousand rows
        # by index (a search joined to boards: 89 ms instead of 6 at a million pins).
        config.setdefault("OPTIONS", {})["options"] = (
            "-c max_parallel_workers_per_gather=0 -c jit=off -c random_page_cost=1.1"
        )
    return config


def _embedded_database() -> dict:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "catalog.sqlite3"}


DATABASES = {
    "default": env_parsed(
        "DATABASE_URL",
        _database,
        None,
        expected="postgres://USER@HOST:PORT/NAME or sqlite:///PATH",
    )
    or _embedded_database()
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 (memory-hard) hashes new and changed passwords. The PBKDF2 hashers, Django's default
# before, still verify older hashes, and Django re-hashes those with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Files. Renditions are public and immutable under MEDIA_ROOT; originals are private and are never
# served as uploaded, so they live in a separate storage outside MEDIA_ROOT.
STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
# While debugging, WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if DEBUG:
    # ... but it still expects STATIC_ROOT to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
ORIGINALS_ROOT = env_path("ORIGINALS_ROOT", VAR_DIR / "originals")
MEDIA_STORAGE_BACKEND = env_str(
    "MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
)
STORAGES = {
    "default": {
        "BACKEND": MEDIA_STORAGE_BACKEND,
        "OPTIONS": (
            {"location": MEDIA_ROOT, "base_url": MEDIA_URL}
            if MEDIA_STORAGE_BACKEND.endswith("FileSystemStorage")
            else {}
        ),
    },
    "originals": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ORIGINALS_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The app serves rendition files itself unless a CDN or object store answers MEDIA_URL.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
FILE_UPLOAD_PERMISSIONS = 0o644

# Upload limits, checked from the file header before any pixel is decoded.
MEDIA_MAX_UPLOAD_BYTES = env_int("MEDIA_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)
# Pillow refuses to open anything over twice its own 89.5 MP guard, so that is the ceiling.
MEDIA_MAX_PIXELS = env_int("MEDIA_MAX_PIXELS", 50_000_000, minimum=1, maximum=178_000_000)
MEDIA_MAX_SIDE = env_int("MEDIA_MAX_SIDE", 20_000, minimum=16)
MEDIA_MAX_FRAMES = env_int("MEDIA_MAX_FRAMES", 1_000, minimum=1)
# AVIF renditions: about a fifth smaller than WebP at about ten times the encode cost, so they are
# made by a separate task on the low-priority queue once the JPEG/WebP set is ready.
MEDIA_AVIF = env_bool("MEDIA_AVIF", False)
# A base64 image in a JSON body is 4/3 of its bytes; anything larger is answered 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = MEDIA_MAX_UPLOAD_BYTES * 4 // 3 + 1024 * 1024


def _networks(raw: str) -> list:
    return [ipaddress.ip_network(part.strip()) for part in raw.split(",") if part.strip()]


# Private networks the image_url fetch may reach (an intranet, or tests); public ones always.
MEDIA_FETCH_ALLOWED_NETWORKS = env_parsed(
    "MEDIA_FETCH_ALLOWED_NETWORKS",
    _networks,
    [],
    expected="comma-separated networks such as 10.1.0.0/16,127.0.0.1/32",
)

# Celery. Without REDIS_URL, tasks run in-process once the transaction that queued them commits,
# so the embedded default needs no broker; with it, a real worker does the work.


def _redis_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise ValueError("")
    return url


REDIS_URL = env_parsed("REDIS_URL", _redis_url, "", expected="redis://HOST:PORT/DB")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200, minimum=1)
# A child that grows past this (in KiB) is replaced after its current task.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", 512_000, minimum=50_000
)
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Workers consume both queues (`-Q celery,media_low`); optional, slow work waits in the second.
CELERY_TASK_ROUTES = {"media_pipeline.tasks.make_avif_task": {"queue": "media_low"}}
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 15
# A message not acknowledged within this time is redelivered; it must exceed the hard time limit
# or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 4,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    # Publishing gives up at once when the broker is down (kombu would otherwise retry for
    # CELERY_BROKER_CONNECTION_TIMEOUT); the sweeper re-enqueues. Workers reconnect on their own.
    "max_retries": 0,
}
# A request must never hang on the broker: one quick attempt, then the sweeper re-enqueues.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
MEDIA_STUCK_AFTER_SECONDS = env_int("MEDIA_STUCK_AFTER_SECONDS", 300, minimum=10)
MEDIA_MAX_ATTEMPTS = env_int("MEDIA_MAX_ATTEMPTS", 5, minimum=1, maximum=100)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-media": {
        "task": "media_pipeline.tasks.sweep_stuck_media_task",
        "schedule": 60.0,
    },
}

CACHES = {
    "default": (
        {"BACKEND": "catalog.redis_cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "catalog.api.auth.BearerTokenAuthentication",
        "catalog.api.auth.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["catalog.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # v5 bodies are JSON; only POST /media takes multipart (it says so itself).
    "DEFAULT_PARSER_CLASSES": ["catalog.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "catalog.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}


def _rate(raw: str) -> str:
    count, _, period = raw.partition("/")
    if not count.isdigit() or period not in {"second", "minute", "hour", "day", "s", "m", "h", "d"}:
        raise ValueError("")
    return raw


# Requests per token (or user, or address when anonymous) for reads, writes, and uploads and
# URL fetches.
API_THROTTLE_RATES = {
    "api_read": env_parsed("API_RATE_READ", _rate, "600/minute", expected="N/minute or N/hour"),
    "api_write": env_parsed("API_RATE_WRITE", _rate, "120/minute", expected="N/minute or N/hour"),
    "api_upload": env_parsed("API_RATE_UPLOAD", _rate, "30/minute", expected="N/minute or N/hour"),
}

# Guessing and bulk issuing (accounts/rate_limit.py): failed logins per username from one address,
# failed logins from one address whatever the username, and access tokens made per user. A
# counter starts at the first attempt and lasts its period; beyond the count the answer is 429.
# There is no counter per username alone: anyone could then lock any user out.
AUTH_RATE_LIMITS = {
    "login_account": env_parsed(
        "LOGIN_RATE_ACCOUNT", _rate, "10/minute", expected="N/minute or N/hour"
    ),
    "login_address": env_parsed(
        "LOGIN_RATE_ADDRESS", _rate, "30/minute", expected="N/minute or N/hour"
    ),
    "token_create": env_parsed(
        "TOKEN_RATE_CREATE", _rate, "20/hour", expected="N/minute or N/hour"
    ),
}
# Proxies in front of the app that append the client's address to X-Forwarded-For (1 behind one
# TLS proxy). Rate limits take the address that many entries from the header's right end; with 0
# they use the connection's address and ignore the header, which any client can write.
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0, maximum=10)


def _search_config(raw: str) -> str:
    # It is written into SQL as a name, so only a plain identifier is accepted.
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", raw.lower()):
        raise ValueError("")
    return raw.lower()


# Full-text search on PostgreSQL: the text search configuration that stems words (run
# `manage.py search_reindex` after changing it), and how many of the newest matches are ranked.
SEARCH_CONFIG = env_parsed(
    "SEARCH_CONFIG", _search_config, "english", expected="a configuration name such as english"
)
SEARCH_RANK_WINDOW = env_int("SEARCH_RANK_WINDOW", 300, minimum=50, maximum=100_000)
# A search page that is the same for everyone (anonymous, no filter) is kept this many seconds per
# web process, or until a newer pin or board exists (catalog/search.py); 0 ranks every time.
SEARCH_RESULTS_CACHE_SECONDS = env_int("SEARCH_RESULTS_CACHE_SECONDS", 30, minimum=0, maximum=3600)
# Anonymous pages and API reads are kept whole in the cache (catalog/response_cache.py) until any
# write to the catalog, or at most this many seconds; 0 renders every request.
RESPONSE_CACHE_SECONDS = env_int("RESPONSE_CACHE_SECONDS", 300, minimum=0, maximum=3600)

# "More like this" walks an in-memory graph of pins and boards (pins/related.py): new pins are
# added every REFRESH seconds (0: rebuild before every use, as tests do), and the whole graph is
# rebuilt every REBUILD seconds to drop deleted pins and boards turned secret.
RELATED_GRAPH_REFRESH_SECONDS = env_int("RELATED_GRAPH_REFRESH_SECONDS", 30, minimum=0)
RELATED_GRAPH_REBUILD_SECONDS = env_int("RELATED_GRAPH_REBUILD_SECONDS", 600, minimum=1)

SPECTACULAR_SETTINGS = {
    "TITLE": "catalog API",
    "DESCRIPTION": "Pinterest API v5 compatible endpoints for pins, boards, sections and media.",
    "VERSION": "5.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v5",
    "SERVERS": [{"url": "/api/v5"}],
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "COMPONENT_SPLIT_REQUEST": True,
    # PATCH bodies are documented as the serializers validate them (a section's name stays
    # required), not as all-optional copies.
    "COMPONENT_SPLIT_PATCH": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "catalog.api.schema.add_error_responses",
    ],
}

# Security headers. HTTPS-only settings switch on with SECURE_COOKIES behind a TLS proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE_COOKIES
# Container and load-balancer health checks ask over plain HTTP from inside (docker-compose.yml);
# a redirect to https://127.0.0.1 would fail them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Strict-Transport-Security (sent on HTTPS responses only): browsers then refuse plain HTTP to the
# site for this long. A year is what the preload list requires and audits expect; every visit
# renews it. Subdomains means names under this host (*.catalog.example.org), not its parent domain.
_hsts_seconds = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
SECURE_HSTS_SECONDS = _hsts_seconds if SECURE_COOKIES else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Joining the browsers' preload list is a decision about a whole registered domain, made by its
# owner at hstspreload.org and slow to undo, so the preload directive is opt-in and the deploy
# check's reminder to send it is not a warning here.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOG_LEVEL = env_parsed(
    "LOG_LEVEL",
    lambda raw: {"DEBUG", "INFO", "WARNING", "ERROR"}.intersection([raw.upper()]).pop(),
    "INFO",
    expected="DEBUG, INFO, WARNING or ERROR",
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "catalog": {"level": LOG_LEVEL},
        "media_pipeline": {"level": LOG_LEVEL},
        "pins": {"level": LOG_LEVEL},
        "boards": {"level": LOG_LEVEL},
    },
}
