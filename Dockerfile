# syntax=docker/dockerfile:1
# A static stift-reports binary on a distroless base, running as non-root.
# Build: docker build -t stift-reports .
# Run:   docker run -p 8080:8080 -e DATABASE_URL=postgres://… stift-reports

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/stift-reports .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stift-reports /stift-reports
# The embedded SQLite file, when DATABASE_URL is not set, goes in the
# working directory: give it a writable volume.
WORKDIR /data
VOLUME /data
USER nonroot:nonroot
EXPOSE 8080
ENV ADDR=:8080
ENTRYPOINT ["/stift-reports"]
CMD ["serve"]
