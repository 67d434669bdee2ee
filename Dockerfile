# dsviz: the Streamlit app in one CPU-only container.
#   docker build -t dsviz .
#   docker run --rm -p 8501:8501 dsviz        # then open http://localhost:8501
# More than one replica: deploy/compose.yaml (sticky sessions behind nginx), docs/deploy.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

# Tile titles are drawn in DejaVu Sans (×, ·, −); without it they fall back to ASCII. Debian's
# version of the font is whatever the base image's release carries (not pinned: it changes rarely).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 dsviz

# torch first, from PyTorch's CPU index: from PyPI the same pin is the CUDA build (several GB) and
# dsviz never uses a GPU. requirements.txt's torch==2.13.0 is then already satisfied (2.13.0+cpu).
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY requirements.txt /app/requirements.txt
RUN pip install -r /app/requirements.txt

WORKDIR /app
# Only what the app runs (see .dockerignore): streamlit_app.py, app.py, views/, ui/, dsviz/ (with its samples), .streamlit/.
COPY --chown=10001:10001 . /app
USER 10001

EXPOSE 8501
# python:3.11-slim has no curl: ask the server's own health endpoint with urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u, sys; sys.exit(u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]
CMD ["streamlit", "run", "streamlit_app.py", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true"]
