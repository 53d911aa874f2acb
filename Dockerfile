# The secretguard image for `docker run` users: the release's static binary on
# a distroless base, as a non-root user. goreleaser (dockers_v2 in
# .goreleaser.yaml) builds it from the binaries it built, one per platform,
# staged under OS/ARCH/ in the build context.
#
#   docker run --rm -v "$PWD:/repo" ghcr.io/secretguard/secretguard scan .
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/secretguard /usr/local/bin/secretguard
USER 65532:65532
WORKDIR /repo
ENTRYPOINT ["/usr/local/bin/secretguard"]
