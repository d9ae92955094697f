#!/usr/bin/env bash
# Builds socklab's container image (the Dockerfile at the root) with podman or docker, for CI and for a
# person. Where no container registry is reachable, the base is made from Debian's own packages with
# mmdebstrap (`--variant=minbase trixie`, slimmed as Docker's debian:trixie-slim is), imported as
# localhost/socklab-base:trixie and passed to the Dockerfile as BASE; its tarball is cached (remade
# after 30 days, or with --refresh-base) and the engine's layer cache is reused, so a rebuild after a
# change to socklab redoes only the last layers. With --registry-base the engine pulls the Dockerfile's
# own base (debian:trixie-slim), as a plain `docker build -t socklab .` does.
#
# Inside the build, apt and npm reach their registries as usual; npm also trusts the certificates in
# --ca-file (default: NODE_EXTRA_CA_CERTS, as node outside the build does), e.g. a TLS-re-signing proxy's.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/build-image.sh [options]
  --engine podman|docker  the container engine (default: podman where installed, else docker)
  --tag NAME              the image's name (default: socklab, i.e. localhost/socklab:latest)
  --registry-base         pull debian:trixie-slim from the registry instead of making the base
  --refresh-base          make the base again even when a cached one exists
  --no-cache              build every layer again (the engine's layer cache is reused otherwise)
  --ca-file FILE          certificates npm trusts inside the build besides its own (default:
                          $NODE_EXTRA_CA_CERTS when set); passed as a build secret, kept out of the image
  --print-engine          print the engine it would use, and exit
  --print-run-options     print, one a line, the options this machine's engine needs for `run`
                          (none on most machines), and exit
environment: SOCKLAB_IMAGE_CACHE, the base's cache folder (default ~/.cache/socklab)
EOF
}

root="$(cd "$(dirname "$0")/.." && pwd)"
engine=""
tag="socklab"
registry_base=false
refresh_base=false
no_cache=false
print_run_options=false
print_engine=false
ca_file="${NODE_EXTRA_CA_CERTS:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine="${2:?--engine needs podman or docker}"; shift 2 ;;
    --tag) tag="${2:?--tag needs a name}"; shift 2 ;;
    --registry-base) registry_base=true; shift ;;
    --refresh-base) refresh_base=true; shift ;;
    --no-cache) no_cache=true; shift ;;
    --ca-file) ca_file="${2:?--ca-file needs a file}"; shift 2 ;;
    --print-engine) print_engine=true; shift ;;
    --print-run-options) print_run_options=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-image: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -z "$engine" ]; then
  if command -v podman >/dev/null 2>&1; then engine=podman
  elif command -v docker >/dev/null 2>&1; then engine=docker
  else echo "build-image: neither podman nor docker is installed (apt-get install podman runc)" >&2; exit 3
  fi
fi
case "$engine" in podman|docker) ;; *) echo "build-image: --engine must be podman or docker, not '$engine'" >&2; exit 2 ;; esac
if [ "$print_engine" = true ]; then echo "$engine"; exit 0; fi

# Options this machine needs for every container podman starts (build steps included):
# - crun (podman's default runtime on Debian) refuses hybrid cgroups (v1 controllers with a v2
#   `unified` tree beside them): runc runs there;
# - podman asks for 1048576 open files and more processes than root may grant itself without
#   CAP_SYS_RESOURCE (a container's root, or a locked-down VM's): ask for the hard limits we have, and
#   for processes at most pid_max (podman's own processes run with that limit).
engine_options=()
if [ "$engine" = podman ]; then
  if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] && [ -d /sys/fs/cgroup/unified ]; then
    command -v runc >/dev/null 2>&1 || { echo "build-image: this machine has hybrid cgroups, which crun refuses: apt-get install runc" >&2; exit 3; }
    engine_options+=(--runtime runc)
  fi
  capabilities="$(awk '/^CapEff:/ { print $2 }' /proc/self/status)"
  if (( (16#$capabilities >> 24 & 1) == 0 )); then  # CAP_SYS_RESOURCE is capability 24
    files="$(ulimit -Hn)"
    processes="$(ulimit -Hu)"
    pid_max="$(cat /proc/sys/kernel/pid_max)"
    if [ "$processes" = unlimited ] || [ "$processes" -gt "$pid_max" ]; then processes="$pid_max"; fi
    [ "$files" = unlimited ] || engine_options+=(--ulimit "nofile=$files:$files")
    engine_options+=(--ulimit "nproc=$processes:$processes")
  fi
fi
if [ "$print_run_options" = true ]; then
  [ "${#engine_options[@]}" -eq 0 ] || printf '%s\n' "${engine_options[@]}"
  exit 0
fi

if [ "$engine" = docker ] && ! docker info >/dev/null 2>&1; then
  echo "build-image: docker is installed but its daemon does not answer (docker info); start it, or use podman" >&2
  exit 3
fi

build_options=()
if [ "$registry_base" = false ]; then
  base=localhost/socklab-base:trixie
  cache="${SOCKLAB_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/socklab}"
  tarball="$cache/debian-trixie-minbase.tar"
  if [ "$refresh_base" = true ] || [ -z "$(find "$tarball" -mtime -30 2>/dev/null)" ]; then
    command -v mmdebstrap >/dev/null 2>&1 || { echo "build-image: making the base needs mmdebstrap (apt-get install mmdebstrap), or use --registry-base" >&2; exit 3; }
    mkdir -p "$cache"
    echo "build-image: making the base with mmdebstrap (trixie, minbase) in $tarball"
    # The same slimming as the registry's debian:trixie-slim: no manuals, documentation (copyrights
    # stay), translations or info pages, also for the packages the Dockerfile installs on top.
    mmdebstrap --variant=minbase --format=tar --quiet \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' \
      trixie "$tarball.partial" \
      'deb http://deb.debian.org/debian trixie main' \
      'deb http://deb.debian.org/debian trixie-updates main' \
      'deb http://deb.debian.org/debian-security trixie-security main'
    mv "$tarball.partial" "$tarball"
    "$engine" rmi --force "$base" >/dev/null 2>&1 || true
  fi
  if ! "$engine" image inspect "$base" >/dev/null 2>&1; then
    echo "build-image: importing $tarball as $base"
    "$engine" import "$tarball" "$base" >/dev/null
  fi
  build_options+=(--build-arg "BASE=$base")
  [ "$engine" = docker ] || build_options+=(--pull=never)
fi

[ "$no_cache" = false ] || build_options+=(--no-cache)
if [ -n "$ca_file" ]; then
  [ -r "$ca_file" ] || { echo "build-image: cannot read the certificates in '$ca_file' (--ca-file or NODE_EXTRA_CA_CERTS)" >&2; exit 2; }
  build_options+=(--secret "id=ca-certificates,src=$ca_file")
fi

started=$SECONDS
# ${name[@]+…}: an empty array under `set -u` in the bash of macOS (3.2).
"$engine" build ${engine_options[@]+"${engine_options[@]}"} ${build_options[@]+"${build_options[@]}"} --tag "$tag" --file "$root/Dockerfile" "$root"
size="$("$engine" image inspect --format '{{.Size}}' "$tag")"
echo "build-image: built $tag in $((SECONDS - started)) s; image size $((size / 1000000)) MB"
