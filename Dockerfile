# Horde's container image: `docker build -t horde .` (or `podman build`) at the repository root.
#   1. Node builds the web UI (frontend/, Vite) into src/horde/web/static;
#   2. Python builds the wheel, with the per-request path compiled by mypyc (hatch_build.py);
#   3. a slim runtime installs the wheel and runs `horde` as a non-root user.
# Its entrypoint is `locust`: Horde with the defaults of Locust's image (the web UI on every
# interface, open without a login: --web-open), so Locust's Helm charts and operators, which pass
# Locust's arguments or run `locust ...`, run Horde by changing only the image. `horde` itself
# keeps Horde's defaults (the UI on 127.0.0.1 unless a token protects it); this repository's chart
# runs `horde` with a token (docs/kubernetes.md).
# The base images are arguments, for a mirror or pinned digests (--build-arg PYTHON_IMAGE=...).
ARG NODE_IMAGE=node:20-bookworm-slim
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${NODE_IMAGE} AS ui
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# vite.config.ts writes to ../src/horde/web/static
RUN npm run build

FROM ${PYTHON_IMAGE} AS wheel
# mypyc compiles to C: it needs a C compiler (the image has Python's headers).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY pyproject.toml hatch_build.py README.md ./
COPY src/ src/
COPY frontend/ frontend/
COPY --from=ui /build/src/horde/web/static/ src/horde/web/static/
# The UI built above must look newer than its sources, or hatch_build.py would build it again
# (with Node from PyPI). pip runs from a venv, whatever the base image's Python installation
# looks like; the ls fails the build if mypyc could not compile (a py3-none-any wheel).
RUN find src/horde/web/static -type f -exec touch {} + \
 && python3 -m venv /venv \
 && /venv/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /dist . \
 && ls /dist/horde-*-cp3*-linux_*.whl

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/horde/bin:$PATH
COPY --from=wheel /dist/ /tmp/dist/
COPY deploy/locust /usr/local/bin/locust
RUN python3 -m venv /opt/horde \
 && /opt/horde/bin/pip install --no-cache-dir /tmp/dist/*.whl \
 && rm -rf /tmp/dist \
 && useradd --create-home --uid 10001 --user-group horde
USER 10001:10001
WORKDIR /home/horde
# 8089: the web UI; 5557: the master's port for workers.
EXPOSE 8089 5557
ENTRYPOINT ["locust"]
CMD ["--help"]
