# syntax=docker/dockerfile:1
# A static stift-reports binary on a distroless base, running as non-root.
# Build: docker build -t stift-reports .
# Run:   docker run -p 8080:8080 -v stift-data:/data stift-reports   (SQLite in the volume)
#        docker run -p 8080:8080 -e DATABASE_URL=postgres://… stift-reports

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/stift-reports .
# The distroless image has no shell to mkdir or chown in, so /data is made
# here, empty, and copied over with its owner set below.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stift-reports /stift-reports
# The embedded SQLite file (stift-reports.db, when DATABASE_URL is not set)
# goes in the working directory, /data. The server runs as nonroot (uid
# 65532), and SQLite must create the file and its -wal and -shm files next
# to it: /data must belong to nonroot, or the first start fails with
# "unable to open database file". WORKDIR alone would create it owned by
# root. A named volume mounted on /data starts as a copy of this directory,
# owner included; a host directory (-v /srv/stift:/data) keeps its own
# owner, so chown it to 65532 on the host.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
VOLUME /data
USER nonroot:nonroot
EXPOSE 8080
ENV ADDR=:8080
ENTRYPOINT ["/stift-reports"]
CMD ["serve"]
