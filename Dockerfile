FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=buddy.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --create-home buddy && mkdir -p /app/var && chown -R buddy /app/var
USER buddy
EXPOSE 8000
# Two processes per two cores, threads overlap the waits on PostgreSQL and Redis and keep
# connections alive (about twice the pages per second of 3 sync workers: benchmarks/).
CMD ["gunicorn", "buddy.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--worker-class", "gthread", "--threads", "8", "--keep-alive", "5"]
