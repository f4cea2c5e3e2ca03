# surftrace's container image: one static binary on distroless, no shell.
# Build: docker build -t surftrace:dev .   (deploy/daemonset.yaml runs it)
#
# Stage 1 builds the binary as `make build` does: CGO off (static, no libc
# to match on the node), -trimpath, stripped, the version stamped.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.stamp=${VERSION}" \
        -o /out/surftrace ./cmd/surftrace

# Stage 2: distroless/static has no shell and no package manager, only CA
# certificates, tzdata and /etc/passwd. surftrace runs as root (uid 0)
# with the capabilities the DaemonSet grants; it needs nothing else from
# the image. The host's /sys/kernel/btf and tracefs are mounted in.
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/surftrace /surftrace
USER 0:0
ENTRYPOINT ["/surftrace"]
