# conflict-events: the API on an embedded SQLite database kept in the /data volume.
# Set DATABASE_URL to use PostgreSQL instead.
# The build stage makes the wheel (seeds/ and migrations/ inside it); the image installs it.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY seeds ./seeds
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CE_DATA_DIR=/data \
    CE_HOST=0.0.0.0 \
    CE_PORT=8000

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin conflict \
    && mkdir /data && chown conflict /data

COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels

USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CE_PORT', '8000') + '/healthz', timeout=4)"]
CMD ["conflict-events", "serve"]
