"""One set of settings, read from the environment (django-environ).

With nothing set this is the embedded default: SQLite file, in-process Celery, console e-mail,
private uploads under ./var/private, DEBUG on. `DJANGO_ENV=production` turns on the production
shape, where the secrets and addresses below have no default and must be given.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Exchange, Queue

from core.schema import ModelEnumNames

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    # No defaults: a production process that lacks one of these refuses to start.
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DATABASES = {"default": env.db("DATABASE_URL")}
    REDIS_URL = env.str("REDIS_URL")
    DEBUG = env.bool("DEBUG", default=False)
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-0f3c9a7e5b1d4c2e8a6f9b0d1e2c3a4b5c6d7e8f9a0b")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
    REDIS_URL = env.str("REDIS_URL", default="")
    DEBUG = env.bool("DEBUG", default=True)

DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0))
# The embedded default's SQLite: every transaction opens for writing (IMMEDIATE), so two writers at once (a request,
# the planning thread, a webhook) queue for up to `timeout` seconds instead of the second failing at once with
# "database is locked" (a deferred transaction that read first is refused when it comes to write). It also makes
# "lock, then decide" hold on SQLite, where select_for_update does nothing.
SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Ours, lowest layer first (see README "Architecture").
    "core",
    "accounts",
    "payments",
    "onboarding",
    "fleet",
    "procurement",
    "hubs",
    "routes",
    "integrations",
    "performance",
    "dsp_portal",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "core.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.AdminMfaMiddleware",
]

ROOT_URLCONF = "dsp_portal.urls"
FORM_RENDERER = "core.forms.BootstrapFormRenderer"
WSGI_APPLICATION = "dsp_portal.wsgi.application"

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
                "dsp_portal.context_processors.portal",
            ],
            # One way to show an amount on every page: `{{ amount|money }}`.
            "builtins": ["core.templatetags.money"],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.backends.ProgramAdminBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic writes; CI points it at a temporary folder to prove the image's build step works.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    # Serve straight from the source folders (no collectstatic needed to develop or test).
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Private uploads (IDs, DD-214, receipts, proof of delivery) live outside every public URL and
# are served only through views that check permission (core.files).
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Cache: Redis when configured (throttling, allauth's rate limits and readiness share it), process memory
# otherwise. With Redis unreachable it fails open (core.cache): rate limits lapse, with a log line, and the
# short timeouts keep a dead Redis from costing each request seconds. Sessions live in the database.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": REDIS_URL, "OPTIONS": {
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail
_MAIL = "django.core.mail.backends"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=f"{_MAIL}.{'smtp' if PRODUCTION else 'console'}.EmailBackend")
if PRODUCTION:
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
    vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DSP Portal <no-reply@dsp-portal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sign-up, login, verification, password and MFA through allauth.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[DSP Portal] "
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "DSP Portal"
# Program admins must have TOTP before they reach the console or /admin/.
REQUIRE_ADMIN_MFA = env.bool("REQUIRE_ADMIN_MFA", default=PRODUCTION)

# REST
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.AdminMfaSetUp",
        "accounts.permissions.HasTokenScope",
        "accounts.permissions.HasPortalPermission",
    ],
    # JSON with a nesting limit (a deep body is a 400 `invalid_json`, never a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DSP Portal API",
    "DESCRIPTION": (
        "REST API of the DSP Portal. Authenticate with `Authorization: Bearer <token>` "
        "(create a token on your account page). Lists are cursor-paginated. Every creating or "
        "paying POST accepts an `Idempotency-Key` header. Errors are `{code, detail, fields}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Every operation documents the `{code, detail, fields}` error envelope; the event catalogue is appended.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.schema_add_errors"],
    # One name per shared choice set (apps add theirs here when two fields would otherwise collide).
    # Explicit names here; every other model choice field gets `<Model><Field>Enum` (core.schema).
    "ENUM_NAME_OVERRIDES": ModelEnumNames({
        "UsStateEnum": "core.places.US_STATES",
        "ApplicationStatusEnum": "onboarding.models.Application.Status",
        "ApplicationDocumentKindEnum": "onboarding.models.ApplicationDocument.Kind",
        "BackgroundCheckKindEnum": "onboarding.models.BackgroundCheck.Kind",
        "BackgroundCheckResultEnum": "onboarding.models.BackgroundCheck.Result",
        "PartnerStatusEnum": "onboarding.models.Partner.Status",
        "UsStateCodeEnum": "fleet.serializers.STATES",
        "RouteStopOutcomeEnum": "routes.serializers.STOP_OUTCOMES",
        "ParcelOutcomeEnum": "routes.serializers.PARCEL_OUTCOMES",
        "WebhookReadScopeEnum": "integrations.serializers.READ_SCOPE_CHOICES",
        "ScorecardStatusEnum": "performance.models.Scorecard.Status",
        "PartnerStatementStatusEnum": "performance.models.StatementStatus",
        # the offline outbox's per-item result (core.offline.OfflineResultSerializer), beside inspections' result
        "OfflineItemResultEnum": [(v, v) for v in ("applied", "duplicate", "rejected")],
    }),
}

# Celery: Redis broker when REDIS_URL is set, in-process (eager) otherwise.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
# Route planning fans big station-days out as a chord, which needs a result backend.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# A dead broker costs a request well under a second: `core.taskqueue.enqueue` logs it and the sweeps catch up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = "UTC"
# Later apps add their periodic jobs here (one place for the whole schedule).
CELERY_BEAT_SCHEDULE: dict = {
    "expire-idempotency-keys": {"task": "core.tasks.idempotency_purge", "schedule": timedelta(hours=6)},
    "payments-reconcile": {"task": "payments.tasks.transfers_reconcile", "schedule": timedelta(hours=1)},
    "hubs-close-days": {"task": "hubs.tasks.parcels_close_days", "schedule": timedelta(days=1)},
    "hubs-weekly-statements": {"task": "hubs.tasks.statements_weekly", "schedule": timedelta(days=1)},
    "webhooks-sweep": {"task": "integrations.tasks.webhooks_sweep", "schedule": timedelta(minutes=1)},
    # E-mails the after-commit task did not send (broker or mail server down, a worker died): each goes out once.
    "mail-sweep": {"task": "core.tasks.mail_sweep", "schedule": timedelta(minutes=1)},
    # Expiry reminders (30/7/1 days) and grounding of vans whose cover lapsed; safe to run twice.
    "fleet-expiry-daily": {"task": "fleet.tasks.fleet_expiry_daily", "schedule": timedelta(days=1)},
    # Preventive maintenance work orders ahead of time (miles or months); one open per schedule and van.
    "fleet-preventive-maintenance": {"task": "fleet.tasks.preventive_maintenance_daily",
                                     "schedule": crontab(hour=4, minute=30)},
    # Plan tomorrow (station-local) for every active station, one task each; a published plan stays.
    "routes-plan-tomorrow": {"task": "routes.plan_tomorrow_all", "schedule": crontab(hour=2, minute=0)},
    # The night's stations whose worker was killed by a hard time limit, or whose message was lost, are sent again.
    "routes-night-sweep": {"task": "routes.night_sweep", "schedule": timedelta(minutes=5)},
    # Drivers' tracks older than the program's retention (routes.LiveSettings) go.
    "routes-positions-purge": {"task": "routes.positions_purge", "schedule": crontab(hour=3, minute=30)},
    # Veteran reimbursement: one transfer per approved claim (keyed by the claim, so a re-run pays nothing twice).
    "claims-payout-run": {"task": "onboarding.tasks.claims_payout_run", "schedule": crontab(hour=9, minute=0)},
    # A partner whose checklist is complete (its first route on the road) stops showing "Onboarding".
    "partners-activate-ready": {"task": "onboarding.tasks.partners_activate_ready", "schedule": timedelta(hours=1)},
    # Scorecards (this week provisional, last week final) and last week's draft statements; idempotent.
    "performance-weekly": {"task": "performance.tasks.weeks_compute", "schedule": crontab(hour=4, minute=30)},
}

# Security
# Sessions in the database, never in the cache: a Redis outage must not log everybody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Logging: JSON lines with the request id in production, plain text while developing.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.middleware.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION or env.bool("LOG_JSON", default=False) else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Per-task success lines are noise for in-process (eager) tasks; workers log them through celery's own logger.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "celery.app.trace": {"level": "WARNING"}},
}

# The program: values an admin may later override in the database live in each app's settings
# model; these are only the defaults new installations start from.
PROGRAM_NAME = env.str("PROGRAM_NAME", default="Last Mile Partner Program")
# Where "today" is for what has no place of its own (a partner with no station yet); stations and hubs
# have their own zones (core.servicedays).
PROGRAM_TIME_ZONE = env.str("PROGRAM_TIME_ZONE", default="America/Los_Angeles")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=48))
# A request still "in progress" after this died with its worker (gunicorn's timeout is 30 s): a retry takes the key.
IDEMPOTENCY_IN_PROGRESS_LEASE = timedelta(seconds=env.int("IDEMPOTENCY_IN_PROGRESS_LEASE_SECONDS", default=300))
# Webhooks (integrations): loopback http only for development and tests; production needs https
# to public addresses. A subscription is disabled after this many failed attempts in a row.
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=not PRODUCTION)
WEBHOOKS_MAX_CONSECUTIVE_FAILURES = env.int("WEBHOOKS_MAX_CONSECUTIVE_FAILURES", default=15)
WEBHOOKS_TIMEOUT_SECONDS = 10
# Certificate authorities trusted for https receivers (a PEM file); empty: certifi's bundle.
WEBHOOKS_CA_BUNDLE = env.str("WEBHOOKS_CA_BUNDLE", default="")
WEBHOOKS_RETRY_WINDOW = timedelta(hours=24)
WEBHOOKS_SECRET_OVERLAP = timedelta(hours=env.int("WEBHOOKS_SECRET_OVERLAP_HOURS", default=24))

# Stripe: the real client. With no STRIPE_SECRET_KEY outside production it talks to the local stand-in
# (payments.standin: `make run` starts it on STRIPE_STANDIN_PORT, the tests in a thread), so every money flow
# works with no keys; a real key switches to api.stripe.com.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_STANDIN = not PRODUCTION and not STRIPE_SECRET_KEY
STRIPE_STANDIN_PORT = env.int("STRIPE_STANDIN_PORT", default=8420)
if STRIPE_STANDIN:
    STRIPE_SECRET_KEY = "sk_test_standin"
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_local")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default=f"http://127.0.0.1:{STRIPE_STANDIN_PORT}" if STRIPE_STANDIN
                          else "https://api.stripe.com")

# Route planning (routes): the solver's time budget per plan, the stop count above which a
# station-day is split into sectors, and an optional OSRM-compatible table service (empty = off:
# great-circle distance x the station's circuity at its average speed).
ROUTES_SOLVER_SECONDS = env.float("ROUTES_SOLVER_SECONDS", default=60.0)
# Measured here (bench/bench_station_e2e.py, two workers): at 3,950 stops sectors give 1,920 km against one
# whole solve's 1,926 km in the same time, at 570 MB against 990 MB; at 7,900 stops one solve needs 3.5 GB.
ROUTES_DECOMPOSE_ABOVE = env.int("ROUTES_DECOMPOSE_ABOVE", default=3000)
# Up to this many stops a split day ends with one whole-day search warm-started from the stitched sectors
# (measured at 3,950 stops: 1,899 km against 1,920 km with border repairs only and 1,913 km for one whole solve
# given the same time; 1.3 GB peak). Above it, that search would not fit in memory.
ROUTES_POLISH_WHOLE_UPTO = env.int("ROUTES_POLISH_WHOLE_UPTO", default=5000)
# Plans solved in-process (no chord) may use this many processes: sectors solved side by side, as that many
# Celery workers would. Keep 1 wherever planning runs inside a Celery prefork worker (it may not fork).
ROUTES_SOLVER_PROCESSES = env.int("ROUTES_SOLVER_PROCESSES", default=1)
# Celery worker processes that solve a plan's chord tasks at once (sectors, then groups of routes): each task's
# share of the budget assumes that many run side by side. 0: as many as there are tasks (a worker each).
ROUTES_CHORD_WORKERS = env.int("ROUTES_CHORD_WORKERS", default=0)
ROUTES_OSRM_URL = env.str("ROUTES_OSRM_URL", default="")
ROUTES_OSRM_MAX_TABLE = env.int("ROUTES_OSRM_MAX_TABLE", default=100)
# The driver's phone: how long after a tap its undo is accepted (the phone offers it for a few seconds; the
# margin covers an undo that waited in the outbox), and the program's relay number for calls and texts to a
# recipient (the driver never sees the recipient's number; the stop's code routes the call).
ROUTES_UNDO_SECONDS = env.int("ROUTES_UNDO_SECONDS", default=120)
ROUTES_CONTACT_RELAY = env.str("ROUTES_CONTACT_RELAY", default="+18005550199")
# Planning runs as a Celery task, never in a request. Its limits follow the budget: the solve, plus time to split
# hubs, build the problem and save the routes (ROUTES_PLAN_MARGIN_SECONDS), then a hard stop a little later.
# A sector task gets the budget plus a minute. The nightly station task plans the same way.
ROUTES_PLAN_MARGIN_SECONDS = env.int("ROUTES_PLAN_MARGIN_SECONDS", default=180)
_plan_soft = int(ROUTES_SOLVER_SECONDS) + ROUTES_PLAN_MARGIN_SECONDS
_plan_limits = {"soft_time_limit": _plan_soft, "time_limit": _plan_soft + 60}
CELERY_TASK_ANNOTATIONS = {
    "routes.plan_build_job": _plan_limits,
    "routes.station_plan_night": _plan_limits,
    "routes.sector_solve": {"soft_time_limit": int(ROUTES_SOLVER_SECONDS) + 60,
                            "time_limit": int(ROUTES_SOLVER_SECONDS) + 90},
}

# Queues by kind of work (the national night, issue #21). Planning and its chord tasks go to `solver` (CPU-bound,
# minutes each; its workers take one message at a time, --prefetch-multiplier 1); everything else (webhooks, e-mail,
# outcomes, sweeps) to `short`, served by its own workers, so a night of planning never delays a webhook.
# `make worker` starts both kinds; docker-compose.yml runs them as the services `solver` and `short`.
ROUTES_SOLVER_QUEUE = "solver"
CELERY_TASK_DEFAULT_QUEUE = "short"
# Both declared, so a worker started without -Q (development, the tests' in-process worker) serves both kinds.
CELERY_TASK_QUEUES = (Queue("short", Exchange("short"), routing_key="short"),
                      Queue(ROUTES_SOLVER_QUEUE, Exchange(ROUTES_SOLVER_QUEUE), routing_key=ROUTES_SOLVER_QUEUE))
CELERY_TASK_ROUTES = {name: {"queue": ROUTES_SOLVER_QUEUE} for name in (
    "routes.sector_solve", "routes.sectors_stitch", "routes.border_round_merge", "routes.plan_build_job",
    "routes.plan_solution_save", "routes.station_plan_night", "routes.manifest_import_job")}
# The broker redelivers a message its worker has not acknowledged after this long (acks_late: a worker killed
# mid-plan loses nothing). It must exceed the longest task's hard limit, or a plan still running would be handed
# to a second worker; a lower value only speeds up recovery from a dead worker. Env override: tests and the bench.
_longest_task = max(CELERY_TASK_TIME_LIMIT, *(a["time_limit"] for a in CELERY_TASK_ANNOTATIONS.values()))
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=_longest_task + 300)
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_VISIBILITY_TIMEOUT
# How often a worker looks for messages whose worker died (kombu's sweep, seconds; scanned on every sweep).
CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10)
CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = 1
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# The nightly batch (routes.services.nightly): a station whose planning fails (or whose worker dies) is tried
# this many times in all, then recorded as failed with the reason; the others go on.
ROUTES_NIGHT_ATTEMPTS = env.int("ROUTES_NIGHT_ATTEMPTS", default=3)
ROUTES_NIGHT_RETRY_SECONDS = env.int("ROUTES_NIGHT_RETRY_SECONDS", default=60)
# /metrics (Prometheus text format) answers a request with `Authorization: Bearer <METRICS_TOKEN>`, or a signed-in
# program admin. Empty: admins only.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Live dispatch (routes): the solver's budget when a rescue or call-out re-sequences one route during the day (a
# request waits for it), and how recipients hear about their package: channels among "email" and "sms", and the
# SMS backend (console: printed; file: one line per message under var/sms/; locmem: kept in memory, for tests).
ROUTES_RESCUE_SECONDS = env.float("ROUTES_RESCUE_SECONDS", default=1.5)
RECIPIENT_NOTIFY_CHANNELS = env.list("RECIPIENT_NOTIFY_CHANNELS", default=["email", "sms"])
RECIPIENT_SMS_BACKEND = env.str("RECIPIENT_SMS_BACKEND", default="routes.sms.ConsoleSmsBackend")
RECIPIENT_SMS_FILE_DIR = env.str("RECIPIENT_SMS_FILE_DIR", default=str(BASE_DIR / "var" / "sms"))

# Long work as jobs (core.jobs): a running job whose worker has not reported for this long is taken as dead
# and may be run again; progress is written at most this often. Planning's lease covers its quietest stretch
# (building the problem and saving a big day), not the whole solve, which reports every second.
JOBS_LEASE_SECONDS = env.int("JOBS_LEASE_SECONDS", default=180)
JOBS_PROGRESS_EVERY = env.float("JOBS_PROGRESS_EVERY", default=1.0)
# With eager Celery, run a job in the caller instead of a background thread (tests that need to see its effect).
JOBS_RUN_SYNC = env.bool("JOBS_RUN_SYNC", default=False)
