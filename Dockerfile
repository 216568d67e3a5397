# The production image: gunicorn serving Django; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=dsp_portal.settings

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 portal

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic with throwaway settings (see the script); CI runs the same script.
RUN sh bin/build-static \
    && mkdir -p /app/var/private && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
# Requests only: planning, imports and other long work run as Celery tasks (their limits follow
# ROUTES_SOLVER_SECONDS, see CELERY_TASK_ANNOTATIONS), so a request needs no more than 30 s.
CMD ["gunicorn", "dsp_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", \
     "--graceful-timeout", "30", "--access-logfile", "-"]
