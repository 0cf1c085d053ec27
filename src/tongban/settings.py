"""Settings come from the environment; the defaults are the safe production ones.

Only the demo (``make demo``) and the tests turn ``DEBUG`` on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "demo-only-insecure-key-never-used-with-debug-off-0123456789abcdefghij"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "tongban",
    "tongban.accounts",
    "tongban.catalogue",
    "tongban.guidance",
    "tongban.notifications",
    "tongban.applications",
    "tongban.hall",
    "tongban.ratings",
    "tongban.audit",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tongban.problems.ApiProblemMiddleware",
    # ETag on every GET and 304 for If-None-Match: catalogue clients revalidate cheaply.
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tongban.audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # A view over its rate limit (tongban.ratelimits) answers with the 429 page.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.accounts.context_processors.roles",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE avoids
        # "database is locked" when a read transaction later wants to write.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling (django-axes): five wrong passwords for one account from one
# address lock that pair out for fifteen minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) or None

# Rate limits of the expensive public endpoints, per client address and minute or hour
# (django-ratelimit): checking an uploaded PDF, resolving a guidance plan, rendering a
# sheet's PDF. The counts are kept in a database table (made by the site's migration), so
# every app server on one database counts together. Django's database cache increments
# in two steps, so a burst of parallel calls may pass a few over the limit: close enough
# for stopping abuse, and no extra service to run (hence the two silenced checks below).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tongban_ratelimit",
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "tongban.views.rate_limited"
RATELIMIT_IP_META_KEY = "tongban.ratelimits.client_address"
TONGBAN_RATE_LIMITS = {
    "verify-file": os.environ.get("TONGBAN_RATE_VERIFY", "20/m"),
    "guidance-resolve": os.environ.get("TONGBAN_RATE_RESOLVE", "120/m"),
    "sheet-pdf": os.environ.get("TONGBAN_RATE_SHEET_PDF", "30/m"),
}

# --- background tasks -------------------------------------------------------
# Slow work (rendering and signing issued PDFs, sending e-mail) runs on workers
# (django-tasks). The database backend keeps the queue in this database: run
# `tongban db_worker` beside the web servers. The tests run tasks immediately.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TONGBAN_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

# --- e-mail ---------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# The halls' expected waits: service times observed over this many days, at most this many
# per queue, none used below the minimum (a model default instead).
TONGBAN_HALL_HISTORY_DAYS = int(os.environ.get("TONGBAN_HALL_HISTORY_DAYS", "28"))
TONGBAN_HALL_SAMPLES = int(os.environ.get("TONGBAN_HALL_SAMPLES", "400"))
TONGBAN_HALL_MIN_SAMPLES = int(os.environ.get("TONGBAN_HALL_MIN_SAMPLES", "20"))
# Ratings (好差评): follow-up deadlines of a bad rating in working days, and how many days a
# visitor may still rate a finished ticket from its QR code. The national rule leaves the
# deadlines to the provinces (3 and 15 are common, unconfirmed for Shanghai).
TONGBAN_RATING_REVISIT_DAYS = int(os.environ.get("TONGBAN_RATING_REVISIT_DAYS", "3"))
TONGBAN_RATING_RECTIFY_DAYS = int(os.environ.get("TONGBAN_RATING_RECTIFY_DAYS", "15"))
TONGBAN_RATING_OPEN_DAYS = int(os.environ.get("TONGBAN_RATING_OPEN_DAYS", "7"))
# Text messages to visitors of the halls (hall/sms.py): the demo backend writes files here.
TONGBAN_SMS_BACKEND = os.environ.get("TONGBAN_SMS_BACKEND", "demo")
TONGBAN_SMS_DIR = Path(os.environ.get("TONGBAN_SMS_DIR", VAR_DIR / "sms"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tongban <noreply@localhost>")

# --- languages ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static files ---------------------------------------------------------
# Front-end packages come from the npm registry at set-up (make install) and
# are served from node_modules; nothing of theirs is committed.
# The district whose catalogue the public pages and the API serve (administrative code).
TONGBAN_DISTRICT = os.environ.get("TONGBAN_DISTRICT", "310106")
# The smart-guidance content compiled against that district's catalogue.
TONGBAN_GUIDANCE_DIR = Path(
    os.environ.get("TONGBAN_GUIDANCE_DIR", PROJECT_DIR / "data" / "jingan" / "guidance")
)

NODE_MODULES = Path(os.environ.get("TONGBAN_NODE_MODULES", PROJECT_DIR / "node_modules"))
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("uswds", NODE_MODULES / "@uswds" / "uswds" / "dist"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Applicants' uploads and issued certificates: private, by content digest. A site may
    # point this at object storage (e.g. django-storages' S3Storage, private ACL).
    "uploads": {
        "BACKEND": "tongban.core.files.PrivateFileStorage",
        "OPTIONS": {"location_setting": "TONGBAN_UPLOAD_DIR"},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- applications -----------------------------------------------------------
# Applicants' documents live outside the web root and are served only through a view
# that checks who asks. Every upload streams to a temporary file, never to memory, and
# stops being read once it passes the size limit (uploads.LimitedUploadHandler).
# The "uploads" storage (STORAGES above) keeps them; TONGBAN_UPLOAD_DIR is its folder and,
# whatever the storage, where uploads are checked before they are stored.
TONGBAN_UPLOAD_DIR = Path(os.environ.get("TONGBAN_UPLOAD_DIR", VAR_DIR / "uploads"))
TONGBAN_UPLOAD_MAX_BYTES = int(os.environ.get("TONGBAN_UPLOAD_MAX_MB", "10")) * 1024 * 1024
TONGBAN_UPLOAD_MAX_PAGES = int(os.environ.get("TONGBAN_UPLOAD_MAX_PAGES", "50"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_HANDLERS = ["tongban.applications.uploads.LimitedUploadHandler"]
# The key and certificate that sign issued certificates; made on first use when absent.
TONGBAN_SIGNING_DIR = Path(os.environ.get("TONGBAN_SIGNING_DIR", VAR_DIR / "signing"))
# Issued documents whose PDF is still being prepared after this many minutes (a worker died
# mid-way) are queued again by `tongban applications tick`.
TONGBAN_RESULTS_RETRY_MINUTES = int(os.environ.get("TONGBAN_RESULTS_RETRY_MINUTES", "15"))
# Where the public site lives: the QR codes of issued certificates point here.
TONGBAN_PUBLIC_URL = os.environ.get(
    "TONGBAN_PUBLIC_URL",
    "http://127.0.0.1:8000" if DEBUG or not ALLOWED_HOSTS else f"https://{ALLOWED_HOSTS[0]}",
)
# Drafts not submitted are removed after this many days; the applicant is warned before.
TONGBAN_DRAFT_DAYS = int(os.environ.get("TONGBAN_DRAFT_DAYS", "30"))
TONGBAN_DRAFT_WARNING_DAYS = int(os.environ.get("TONGBAN_DRAFT_WARNING_DAYS", "7"))
# Working days a tolerated missing material may be supplied in (容缺补正).
TONGBAN_SUPPLEMENT_DAYS = int(os.environ.get("TONGBAN_SUPPLEMENT_DAYS", "5"))
# What follows a supplement not made by its due date (a tolerated material or a reviewer's
# request; docs/case-rules.md): "lapse" ends the affected matters as withdrawn (视为撤回)
# once the grace of so many working days after the due date has passed; "escalate" tells
# the centre's managers and flags the case.
TONGBAN_SUPPLEMENT_OVERDUE = os.environ.get("TONGBAN_SUPPLEMENT_OVERDUE", "lapse")
TONGBAN_SUPPLEMENT_GRACE_DAYS = int(os.environ.get("TONGBAN_SUPPLEMENT_GRACE_DAYS", "0"))
# Which service objects (a matter's `audience`) each kind of account may apply for: a
# person for natural persons; an enterprise account is the unit account of any
# organisation (docs/case-rules.md).
TONGBAN_AUDIENCES = {
    "person": ["person"],
    "enterprise": [
        "enterprise",
        "public_institution",
        "social_organisation",
        "other_organisation",
        "government",
    ],
}
# A running review task is "due soon" while at most this many working days are left (the
# due day counts); after its due date it is overdue. The inbox tabs, the API's ?due=, the
# clocks on the pages, the daily reminders and the statistics all use this one rule
# (applications.deadlines).
TONGBAN_DUE_SOON_DAYS = int(os.environ.get("TONGBAN_DUE_SOON_DAYS", "2"))
# In one application a matter waits for another whose result it asks for as a material
# (证照联办). With this on, it also waits for the matters its guidance names in `after:`
# ("comes after these") even when it asks for none of their results (docs/case-rules.md).
TONGBAN_WAIT_FOR_AFTER = env_bool("TONGBAN_WAIT_FOR_AFTER", False)

# --- security -------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the district's domain, opt in with SECURE_HSTS_PRELOAD.
    "security.W021",
    # The rate limits' database cache: shared by the app servers, not atomic (see CACHES).
    "django_ratelimit.E003",
    "django_ratelimit.W001",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
