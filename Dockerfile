# One image for every Ponte component; the command picks which one runs:
#   docker run IMAGE                  -> `ponte up` (all-in-one, in-process broker, SQLite)
#   docker run IMAGE run authorizations -> one component against RabbitMQ/PostgreSQL/S3
# docker-compose.yml and deploy/k8s/ use the second form.

# Build the project's wheel in a throwaway stage so the sources stay out of the final image.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PONTE_DATA_DIR=/var/lib/ponte \
    PONTE_HTTP_ADDRESS=0.0.0.0:8000

# A fixed numeric uid lets Kubernetes verify runAsNonRoot without a runAsUser.
RUN groupadd --system --gid 10001 ponte \
    && useradd --system --uid 10001 --gid ponte --home-dir /var/lib/ponte --no-create-home \
       --shell /usr/sbin/nologin ponte \
    && mkdir -p /var/lib/ponte \
    && chown ponte:ponte /var/lib/ponte

# The exact dependency tree first (its own layer, rebuilt only when the lock changes), then
# the project itself without resolving anything.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-deps -r /tmp/requirements.lock && rm /tmp/requirements.lock
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels

USER 10001:10001
WORKDIR /var/lib/ponte
# 8000: gateway HTTP (API, /healthz, /readyz, /metrics); 9100: a service's PONTE_METRICS_PORT.
EXPOSE 8000 9100
ENTRYPOINT ["ponte"]
CMD ["up"]
