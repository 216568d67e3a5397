"""Settings of the bare reference app: nothing but what a DRF list needs."""

import os

import environ

SECRET_KEY = "bench-only-reference-app"  # noqa: S105 (a local benchmark, never deployed)
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bare_drf.urls"
WSGI_APPLICATION = "bare_drf.wsgi.application"
INSTALLED_APPS = ["django.contrib.contenttypes", "rest_framework", "bare_drf"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {"default": environ.Env.db_url_config(os.environ["DATABASE_URL"])}
DATABASES["default"]["CONN_MAX_AGE"] = 60  # as the project's production settings
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
}
