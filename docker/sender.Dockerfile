# metrics-sender in a container, measuring the host it runs on (see docs/deploy.md for the mounts).
#   docker build -f docker/sender.Dockerfile -t metrics-sender .
ARG SWIFT_IMAGE=swift:6.2-bookworm

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
RUN apt-get update -q && apt-get install -q -y --no-install-recommends zlib1g-dev libcurl4-openssl-dev libsystemd-dev \
    && rm -rf /var/lib/apt/lists/*
# The manifest names the test targets too, so their directories must be there.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product metrics-sender --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/metrics-sender" /metrics-sender

FROM debian:bookworm-slim
# libcurl sends; libsystemd reads the host's journal (both loaded when first needed).
RUN apt-get update -q && apt-get install -q -y --no-install-recommends ca-certificates libcurl4 libsystemd0 zlib1g \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /metrics-sender /usr/local/bin/metrics-sender
ENV METRICS_STATE_DIR=/var/lib/metrics-sender
VOLUME ["/var/lib/metrics-sender"]
# Every minute: measure the host under /host and ship its journal.
ENTRYPOINT ["/bin/sh", "-c", "while true; do /usr/local/bin/metrics-sender run --root /host; sleep 60; done"]
