"""Alliance Match settings: one module, driven by environment variables (django-environ).

Defaults serve one person on one machine: SQLite file, in-process Celery tasks,
console email. Production values come from the environment; unsafe ones fail loudly.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEFAULT_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - refused below when DEBUG is off

# --- Core -----------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if not DEBUG:
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be set to a long random value when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "phonenumber_field",
    "axes",
    "csp",
    "corsheaders",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "registry",
    "matching",
    "review",
    "compliance",
    "events",
    "directory",
    "integrations",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Off by default: answers CORS only for the origins CORS_ALLOWED_ORIGINS lists, and only under /api/.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before CommonMiddleware, whose APPEND_SLASH would answer an API call with a redirect or a 500.
    "core.middleware.ApiTrailingSlashMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); then ministry staff without their second factor reach only the 2FA pages.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "core.middleware.PrivateNoStoreMiddleware",
    # After authentication: a repeated POST/PATCH with the same Idempotency-Key replays the first answer.
    "integrations.middleware.IdempotencyKeyMiddleware",
    "integrations.middleware.RateLimitHeadersMiddleware",
    # An API query parameter the schema does not document for the operation answers 400 naming it.
    "core.api.params.UnknownQueryParametersMiddleware",
    # ETag on firm and proposal reads; If-None-Match -> 304, If-Match on PUT/PATCH -> 412 on a mismatch.
    "core.api.conditional.ConditionalRequestMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"
ASGI_APPLICATION = "alliance.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Kyiv"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# For django.core.mail.backends.filebased.EmailBackend (the real-worker notification tests use it).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Alliance Match <noreply@alliance-match.example>")
# Where the pages are, for links in emails sent without a request to copy the address from.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Auth -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out username/address pairs before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Ministry reviewers' admin permissions come from their role, not per-user rows.
    "accounts.backends.ReviewerPermissionBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# One lock per (username, client address): failures from one address (a partner's NAT, the
# reverse proxy) never lock its other users, and a log-in resets only that pair's failures.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
# An invitation to join a firm (emailed link) can be accepted for this long.
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# A link confirming an email address (after sign-up or a change of address) works for this long.
EMAIL_CONFIRMATION_TTL_DAYS = env.int("EMAIL_CONFIRMATION_TTL_DAYS", default=3)
# Reviewers and administrators must give a TOTP code (django-otp) after their password: on by default
# in production, off by default with DEBUG (`make run`'s demo reviewer logs in with a password only).
REQUIRE_STAFF_2FA = env.bool("REQUIRE_STAFF_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Alliance Match")
OTP_LOGIN_URL = "/accounts/2fa/verify/"  # the second step after the password (web/views/two_factor.py)
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- The client's address ------------------------------------------------------------------
# Reverse proxies (nginx, a load balancer) in front of gunicorn, each appending the address it
# saw to X-Forwarded-For. With 0 the header is ignored: a client can write anything in it. The
# log-in lock-out (django-axes, through django-ipware) and the API's throttles (DRF) read the
# client's address behind exactly this many proxies; nothing else reads one.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)


def client_address_settings(proxies: int) -> dict:
    """django-axes' (django-ipware's) and DRF's settings for `proxies` trusted proxies."""
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if proxies else ("REMOTE_ADDR",),
        # ipware counts the proxies listed in X-Forwarded-For; the nearest one is REMOTE_ADDR.
        "AXES_IPWARE_PROXY_COUNT": proxies - 1 if proxies else None,
        # At least that many: the proxies append to whatever the client sent, they never replace it.
        "IPWARE_STRICT": False,
        "NUM_PROXIES": proxies,  # in REST_FRAMEWORK
    }


_client_address = client_address_settings(TRUSTED_PROXY_COUNT)
AXES_IPWARE_META_PRECEDENCE_ORDER = _client_address["AXES_IPWARE_META_PRECEDENCE_ORDER"]
AXES_IPWARE_PROXY_COUNT = _client_address["AXES_IPWARE_PROXY_COUNT"]
IPWARE_STRICT = _client_address["IPWARE_STRICT"]

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # A service account's token reaches only its scopes (core/permissions.py); people are not limited there.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.permissions.TokenScopePermission",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.ordering.CheckedOrderingFilter",  # an unknown ?ordering= field is a 400, not ignored
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.SyncPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    # DRF's JSON parser, refusing deep nesting and NUL/lone surrogates in any string (400, not 500).
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.SafeJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # accounts' per-token and DRF's per-address throttles, with RateLimit-* headers (integrations/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "integrations.throttling.TokenRateThrottle",
        "integrations.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_TOKEN_RATE", default="600/min"),
        "anon": env.str("API_ANON_RATE", default="60/min"),
        # Sending an email-confirmation link again (API and web), per person.
        "email_confirmation": env.str("EMAIL_CONFIRMATION_RATE", default="5/hour"),
    },
    # Anonymous clients are counted per address: X-Forwarded-For only as the trusted proxies wrote it.
    "NUM_PROXIES": _client_address["NUM_PROXIES"],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# The profile form sends a capacity and a detail input per capability of the taxonomy (4 fields
# each, ~60 capabilities today); Django's default of 1,000 fields would refuse it past ~245.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=5000)

REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)),
    "AUTH_HEADER_PREFIX": "Bearer",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 20,
}
# A firm's service-account token (accounts.ServiceAccount) lives this long; its owner revokes it sooner.
SERVICE_ACCOUNT_TOKEN_TTL_DAYS = env.int("SERVICE_ACCOUNT_TOKEN_TTL_DAYS", default=365)
# After a rotation the previous token keeps working this long (0: refused at once), then answers 401.
SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS = env.int("SERVICE_ACCOUNT_TOKEN_OVERLAP_HOURS", default=24)

SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Match API",
    "DESCRIPTION": (
        "Partnership matchmaking for the defence industry alliance between Ukraine and its partners. "
        "Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/auth/token/`. "
        'Every 4xx answers `{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVERS": [{"url": SITE_URL, "description": "This deployment (SITE_URL)"}],
    "CONTACT": {
        "name": "Alliance Match integrations",
        "email": env.str("INTEGRATIONS_CONTACT_EMAIL", default="integrations@alliance-match.example"),
        "url": SITE_URL + "/api/docs/",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # drf-spectacular's enum hook, then ours (declared tags, int64, server inventory: core/api/openapi.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.openapi.postprocess_schema"],
    "ENUM_NAME_OVERRIDES": {
        # accounts: a person's overall role vs. their role in one firm, and the firm status enum.
        "UserRoleEnum": ["firm_member", "reviewer", "administrator"],
        "MembershipRoleEnum": "accounts.models.Membership.Role",
        "FirmStatusEnum": "registry.models.Firm.Status",
        "PlatformRoleEnum": "registry.models.PlatformRole",
        "WebhookDeliveryStatusEnum": "integrations.models.WebhookDelivery.Status",
        # A match run and a schedule run share their four states: one enum, under its first name.
        "MatchRunStatusEnum": "matching.models.MatchRun.Status",
        "FollowUpEnum": "events.models.Meeting.FollowUp",
        # drf-spectacular reads the component `MeetingRequest` as the request body of `Meeting`, so both
        # `status` sets were named MeetingStatusEnum and the request's four states lost their enum.
        "MeetingStatusEnum": "events.models.Meeting.Status",
        "MeetingRequestStatusEnum": "events.models.MeetingRequest.Status",
        "TokenScopeEnum": "core.permissions.TokenScope",
        "NotificationKindEnum": "review.api.proposals.NotificationKind",
    },
}

# --- Cache ------------------------------------------------------------------------------
# Throttling counters, large page counts and the dashboard's numbers live here. Per process by
# default; point CACHE_URL at Redis (redis://...) to share them between workers. A Redis cache
# fails open (alliance/cache.py): an outage is a cache miss, never a server error.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://alliance")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "alliance.cache.FailOpenRedisCache"

# --- Security headers (production) ---------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every asset is served from our own static files: no CDN, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    },
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None) or None
# No broker configured: run tasks in-process so one person on one machine needs nothing else.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    # A dead worker's unacknowledged messages are put back by a sweep every interval x throttle
    # seconds (kombu's defaults: 10 x 10 = 100 s) once older than the visibility timeout.
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    # The sweep's Redis lock; a worker killed while holding it blocks sweeps until it expires.
    "unacked_mutex_expire": env.int("CELERY_UNACKED_MUTEX_EXPIRE", default=300),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A worker started for a test consumes (and its tasks enqueue to) a queue of its own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- Product rules ------------------------------------------------------------------------
# Partner countries allowed by default: NATO and EU members and close allies.
ELIGIBLE_PARTNER_COUNTRIES = env.list(
    "ELIGIBLE_PARTNER_COUNTRIES",
    default=(
        "AL AT AU BE BG CA HR CY CZ DK EE FI FR DE GR HU IS IE IT JP KR LV LT LU MT ME NL NZ MK NO "
        "PL PT RO SK SI ES SE CH TR GB US MD GE"
    ).split(),
)
# Refused whatever the configuration says.
FORBIDDEN_COUNTRIES = ("RU", "BY", "IR", "KP")
# Sanctions screening: a firm registered in one of these keeps its name score (fronts register
# there); elsewhere, a country that is not the list entry's costs the score a little.
SANCTIONS_TRANSIT_COUNTRIES = env.list(
    "SANCTIONS_TRANSIT_COUNTRIES", default="CY TR AE GE AM KZ KG UZ RS HK CN MD".split()
)

MATCHING = {
    "TOP_K": env.int("MATCH_TOP_K", default=5),
    "MAX_OPEN_PER_FIRM": env.int("MATCH_MAX_OPEN_PER_FIRM", default=20),
    "MIN_SCORE": env.float("MATCH_MIN_SCORE", default=0.2),
    "COOLDOWN_DAYS": env.int("MATCH_COOLDOWN_DAYS", default=180),
    "CHUNK_SIZE": env.int("MATCH_CHUNK_SIZE", default=250),
    "REMATCH_DEBOUNCE_SECONDS": env.int("MATCH_REMATCH_DEBOUNCE_SECONDS", default=5),
    # An import that creates or changes more verified firms than this queues one full run instead of
    # one rematch per firm (a single-firm rematch reloads the registry: ~1.7 s each at 22,000 firms).
    "IMPORT_REMATCH_MAX_FIRMS": env.int("MATCH_IMPORT_REMATCH_MAX_FIRMS", default=50),
    # That full run, asked for while another runs, is tried again this often (at most 60 times).
    "BUSY_RETRY_SECONDS": env.int("MATCH_BUSY_RETRY_SECONDS", default=120),
}
# The directory and introduction requests (issue 14).
DIRECTORY = {
    # Open introduction requests (proposed or approved) a firm may have at once.
    "MAX_OPEN_REQUESTS": env.int("DIRECTORY_MAX_OPEN_REQUESTS", default=10),
    # After a decline or a rejection, the same pair cannot be asked for again for this long.
    "REQUEST_COOLDOWN_DAYS": env.int("DIRECTORY_REQUEST_COOLDOWN_DAYS", default=90),
}
# A firm profile not confirmed by a member for this many months is stale: hidden from the
# directory and left out of matching until an owner or editor confirms it (issue 14).
PROFILE_STALE_MONTHS = env.int("PROFILE_STALE_MONTHS", default=12)
REVIEW = {
    "EXPIRY_DAYS": env.int("REVIEW_EXPIRY_DAYS", default=30),
    # Firms that have not answered an approved proposal are reminded this many days before it expires.
    "EXPIRY_REMINDER_DAYS": tuple(env.list("REVIEW_EXPIRY_REMINDER_DAYS", cast=int, default=[7, 1])),
}
# CORS (issue 16): no cross-origin browser calls unless origins are listed, e.g.
# CORS_ALLOWED_ORIGINS=https://crm.partner.example. Tokens only (no cookies) cross origins.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (
    "authorization",
    "content-type",
    "idempotency-key",
    "if-match",
    "if-none-match",
    "accept-language",
)
CORS_EXPOSE_HEADERS = ("ETag", "Idempotent-Replayed", "Retry-After")

# Partner webhooks (issue 16, integrations/).
WEBHOOKS = {
    # Private, loopback and link-local receivers (and plain http://): DEBUG and tests only.
    "ALLOW_PRIVATE_URLS": env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=DEBUG),
    "TIMEOUT_SECONDS": env.int("WEBHOOKS_TIMEOUT_SECONDS", default=10),
    # Seconds to wait after each failed attempt: 5 s ... 20 h, about 3 days in all; then the delivery fails.
    "RETRY_SCHEDULE": [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 72000],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
