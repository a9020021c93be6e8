# chromadb server image: `docker compose up -d --build` (see docker-compose.yml), or
#   docker build -t chromadb . && docker run -p 127.0.0.1:8000:8000 -v chroma-data:/data chromadb
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The server never embeds (clients do), so the image needs no model files.
COPY pyproject.toml README.md LICENSE ./
COPY chromadb ./chromadb
RUN pip install . \
    && useradd --system --uid 1000 --home-dir /data chroma \
    && mkdir -p /data && chown chroma /data

USER chroma
VOLUME ["/data"]
EXPOSE 8000

# The heartbeat route stays open when token authentication is on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/v2/heartbeat', timeout=4).status == 200 else 1)"]

# The same command the test suite starts; 0.0.0.0 because the port is published by Docker;
# one server process per core the container is given (all on the one data folder).
# Further settings come from the environment (ALLOW_RESET, CHROMA_SERVER_AUTHN_CREDENTIALS ...).
CMD ["chroma", "run", "--path", "/data", "--host", "0.0.0.0", "--port", "8000", "--workers", "auto"]
