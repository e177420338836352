FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////var/lib/wijkteam-kpi/wijkteam-kpi.sqlite3 \
    ENVIRONMENT=production

# Pango and fonts for the report's PDF (WeasyPrint); nothing else of the system is needed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/wijkteam-kpi
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir . \
 && useradd --system --home /var/lib/wijkteam-kpi --create-home wijkteam

USER wijkteam
# The embedded SQLite file lives here: mount a volume, or it goes with the container.
VOLUME ["/var/lib/wijkteam-kpi"]
EXPOSE 8000
# Behind an ingress, set FORWARDED_ALLOW_IPS to its address(es) so links name the public host.
ENV FORWARDED_ALLOW_IPS=127.0.0.1
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health/ready')"
# In production `serve` does not migrate (replicas would race) and refuses an old schema:
# run the release step once first, then create the first admin client:
#   docker run --rm -v wk-data:/var/lib/wijkteam-kpi IMAGE wijkteam-kpi migrate
#   docker run --rm -v wk-data:/var/lib/wijkteam-kpi IMAGE \
#     wijkteam-kpi clients create --name beheer --scope admin --municipality 0193
CMD ["wijkteam-kpi", "serve", "--host", "0.0.0.0", "--port", "8000"]
