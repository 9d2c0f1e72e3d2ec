FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
# Exact, hash-checked versions first (a layer that changes only with the lock), then the package itself
# without resolving anything again.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY gateway ./gateway
RUN pip install --no-deps . && pip check && useradd --create-home --uid 10001 gateway && mkdir -p /data && chown gateway /data

USER gateway
WORKDIR /data
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"

CMD ["gateway", "serve", "--host", "0.0.0.0", "--port", "8000"]
