# catalog: one image for the web server, the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system --gid 1000 catalog \
    && useradd --system --uid 1000 --gid catalog --home-dir /app --no-create-home catalog

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Static files are collected into the image, owned by root and read-only to the app. The key only
# lets settings load with DEBUG off; it is never used at run time.
RUN SECRET_KEY=collectstatic-only DEBUG=false python manage.py collectstatic --noinput \
    && mkdir -p var/media var/originals \
    && chown -R catalog:catalog var

# The app writes only under var/: renditions, originals and the beat schedule. The media directories
# exist here, owned by the app user, so named volumes mounted on them start with that owner.
USER catalog

EXPOSE 8000

# Processes, threads and timeouts are in gunicorn.conf.py (WEB_CONCURRENCY, WEB_THREADS); it binds
# 0.0.0.0:$PORT. `exec` lets gunicorn receive stop signals.
CMD ["sh", "-c", "exec gunicorn catalog.wsgi:application --config gunicorn.conf.py --access-logfile -"]
