# syntax=docker/dockerfile:1
# Leaddesk in a container: built with cgo and the same tags and flags as `make build` (checked by
# TestDockerfileBuildsLikeTheMakefile), run as a non-root user with the data on the /data volume.
#   docker build -t leaddesk --build-arg VERSION=$(git describe --tags --always) .
#   docker run -p 8080:8080 -v leaddesk-data:/data leaddesk

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -tags sqlite_fts5 -trimpath -ldflags "-s -w -X leaddesk/handlers.Version=${VERSION}" -o /out/leaddesk .

FROM debian:bookworm-slim
# ca-certificates: SMTP over TLS and the sign-in providers; tzdata: LEADDESK_TIMEZONE.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin leaddesk \
 && mkdir -p /data /backups && chown leaddesk:leaddesk /data /backups && chmod 0700 /data /backups
COPY --from=build /out/leaddesk /usr/local/bin/leaddesk
USER leaddesk
ENV LEADDESK_ADDR=0.0.0.0:8080 \
    LEADDESK_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/leaddesk", "healthcheck"]
# SIGTERM stops it gracefully (requests and jobs in flight finish); give it the 30 s it may take.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/leaddesk"]
CMD ["serve"]
