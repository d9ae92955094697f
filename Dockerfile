# socklab's container image: socklab, the tools its experiments use, and what students write their
# programs in (Python 3, a JDK, a C compiler), on Debian 13 (trixie), whose nodejs is 20.19 (Debian 12
# has 18). What `docker run` must grant it, and why, is in README.md ("Container image").
#
#   docker build -t socklab .                     # a machine with Docker Hub
#   scripts/build-image.sh                        # no registry: a base made with mmdebstrap, podman or docker
#
# Three stages, so that the image holds neither npm, the TypeScript sources nor the dev dependencies:
# `build` packs socklab exactly as `npm pack` does for instructors (prepack builds it), `runtime-deps`
# installs the production dependencies from the lock file, and the last stage puts the two together.
#
# npm trusts the certificates of the build's optional secret `ca-certificates` besides its own (a proxy
# that re-signs TLS, as some networks have): `--secret id=ca-certificates,src=FILE`, which
# scripts/build-image.sh passes from NODE_EXTRA_CA_CERTS. A secret is in no layer of the image.

# The base. scripts/build-image.sh passes its own (made with mmdebstrap) where no registry is reachable.
ARG BASE=debian:trixie-slim

FROM ${BASE} AS node-tools
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# Production dependencies only, from the lock file: this layer is rebuilt only when the lock changes.
FROM node-tools AS runtime-deps
WORKDIR /opt/socklab
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca-certificates \
    if [ -f /run/secrets/ca-certificates ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

FROM node-tools AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca-certificates \
    if [ -f /run/secrets/ca-certificates ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-certificates; fi \
 && npm ci --no-audit --no-fund --loglevel=error
COPY . .
# The package's files (package.json's `files`: the built CLI, the specs, the reference services and web
# files, the schemas), as a global install of the tarball would have them.
RUN npm pack --loglevel=error --pack-destination /tmp \
 && mkdir -p /opt/socklab \
 && tar -xzf /tmp/socklab-*.tgz -C /opt/socklab --strip-components=1

FROM ${BASE}
# The system tools socklab drives: tcpdump (captures), chromium and a font (browser steps, the reports'
# and the hand-in pack's pictures), bubblewrap (the sandbox), iproute2 and iptables (each experiment's
# network world); python3, a JDK, gcc and make for the students' programs; tini as process 1, which
# reaps what students' daemons leave behind (node does not reap orphans). The JDK's setup links its
# manual page into /usr/share/man/man1, which a slim base (no manuals) lacks.
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nodejs tini ca-certificates \
      tcpdump iproute2 iptables bubblewrap \
      chromium fonts-dejavu-core \
      python3 default-jdk-headless gcc libc6-dev make \
 && rm -rf /var/lib/apt/lists/*
COPY --from=runtime-deps /opt/socklab/node_modules /opt/socklab/node_modules
COPY --from=build /opt/socklab /opt/socklab
RUN ln -s /opt/socklab/bin/socklab.js /usr/local/bin/socklab \
 && socklab --version
# The folder mounted at /work is socklab's current folder: reports land in ./reports there, a course
# folder (specs/lab.yaml) is used as one, and `--submission .` is the folder itself.
WORKDIR /work
ENTRYPOINT ["/usr/bin/tini", "--", "socklab"]
CMD ["--help"]
