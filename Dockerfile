FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////var/lib/wijkteam-kpi/wijkteam-kpi.sqlite3 \
    ENVIRONMENT=production

WORKDIR /srv/wijkteam-kpi
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir . \
 && useradd --system --home /var/lib/wijkteam-kpi --create-home wijkteam

USER wijkteam
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health/ready')"
# `serve` applies pending migrations, then starts uvicorn.
CMD ["wijkteam-kpi", "serve", "--host", "0.0.0.0", "--port", "8000"]
