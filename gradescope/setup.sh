#!/usr/bin/env bash
# Gradescope autograder setup: runs once, as root, when Gradescope builds the autograder image from a
# base image (Ubuntu 22.04 or 24.04), with the autograder zip (`socklab gradescope-bundle`) unpacked
# in /autograder/source. Installs what the students' programs and socklab's experiments need, Node.js
# when the image's is older than socklab's 20.19, socklab's production dependencies, and Chromium when
# the bundled specs open a browser.
#
# Settings, for trying it elsewhere: SOCKLAB_SOURCE (default: this script's folder), SOCKLAB_NODE_PREFIX
# (where Node.js is unpacked; default /usr/local), SOCKLAB_NODE_MAJOR (default 22, a long-term
# support line), SOCKLAB_NODE_DIST (default https://nodejs.org/dist).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
source_dir="${SOCKLAB_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
node_prefix="${SOCKLAB_NODE_PREFIX:-/usr/local}"
node_major="${SOCKLAB_NODE_MAJOR:-22}"
node_dist="${SOCKLAB_NODE_DIST:-https://nodejs.org/dist}"

say() { echo "setup.sh: $*"; }

# Interpreters and compilers students use (python3, gcc, a JDK), and the tools experiments call: curl,
# tcpdump (packet captures), iproute2 and iptables (two hosts, a lossy link), bubblewrap (the sandbox).
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  python3 gcc libc6-dev default-jdk-headless curl ca-certificates tar gzip \
  tcpdump iproute2 iptables bubblewrap

# True when the node command $1 is Node.js 20.19 or newer.
node_is_recent() {
  local version
  version="$("$1" --version 2>/dev/null)" || return 1
  [[ $version =~ ^v([0-9]+)\.([0-9]+)\. ]] || return 1
  local major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}"
  ((major > 20 || (major == 20 && minor >= 19)))
}

# The official build for this machine from nodejs.org, its checksum checked against the release's
# SHASUMS256.txt, unpacked into $node_prefix (bin/node, bin/npm …). No apt repository is added and no
# downloaded script runs as root; the same steps work on Ubuntu 22.04 and 24.04, on x64 and arm64.
install_node() {
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) say "no Node.js build for this machine ($(uname -m)); install Node.js >= 20.19 another way" >&2; exit 1 ;;
  esac
  local release="$node_dist/latest-v$node_major.x" work tarball
  work="$(mktemp -d)"
  curl -fsSL --retry 3 "$release/SHASUMS256.txt" -o "$work/SHASUMS256.txt"
  tarball="$(awk -v want="-linux-$arch.tar.gz" 'substr($2, length($2) - length(want) + 1) == want { print $2; exit }' "$work/SHASUMS256.txt")"
  if [ -z "$tarball" ]; then
    say "no linux-$arch tarball listed in $release/SHASUMS256.txt" >&2
    exit 1
  fi
  say "installing Node.js ${tarball%.tar.gz} into $node_prefix"
  curl -fsSL --retry 3 "$release/$tarball" -o "$work/$tarball"
  (cd "$work" && grep " $tarball\$" SHASUMS256.txt | sha256sum -c --quiet -)
  mkdir -p "$node_prefix"
  tar -xzf "$work/$tarball" -C "$node_prefix" --strip-components=1 --no-same-owner
  rm -rf "$work"
  hash -r
}

if node_is_recent node; then
  say "using Node.js $(node --version) ($(command -v node))"
else
  if command -v node >/dev/null; then say "Node.js $(node --version) is older than socklab's 20.19"; else say "Node.js is not installed"; fi
  install_node
  # run_autograder finds node on PATH, as this script does: the new one must come first there.
  if ! node_is_recent node; then
    say "installed Node.js in $node_prefix/bin, but 'node' on PATH is still $(command -v node) $(node --version): put $node_prefix/bin first on PATH" >&2
    exit 1
  fi
fi

cd "$source_dir"
if [ -f dist/harness/cli.js ]; then
  # A bundle: the build is in the zip, only the production dependencies are missing.
  npm ci --omit=dev --no-audit --no-fund
else
  # A plain checkout of socklab: build it.
  npm ci --no-audit --no-fund
  npm run build
fi

# Chromium for browser experiments. Ubuntu's chromium packages are snaps, and snaps do not run in
# Gradescope's containers, so socklab takes the Chromium build that matches its own playwright-core,
# with the libraries it needs from Ubuntu's archive (--with-deps), and run_autograder passes its path
# to socklab (SOCKLAB_CHROMIUM). Skipped for a bundle without browser experiments or made with
# --no-browser, and where a chromium is already installed (SOCKLAB_CHROMIUM, default /usr/bin/chromium).
system_chromium="${SOCKLAB_CHROMIUM:-/usr/bin/chromium}"
if [ -f socklab-bundle.json ] && ! grep -q '"browser": true' socklab-bundle.json; then
  say "no browser experiments to run: Chromium not installed"
elif [ -x "$system_chromium" ]; then
  say "browser experiments use $system_chromium"
else
  export PLAYWRIGHT_BROWSERS_PATH="$source_dir/.browsers"
  node node_modules/playwright-core/cli.js install --with-deps chromium
  node -p "require('playwright-core').chromium.executablePath()" >.socklab-chromium
  if [ ! -x "$(cat .socklab-chromium)" ]; then
    say "Chromium is not where playwright-core says it installed it ($(cat .socklab-chromium))" >&2
    exit 1
  fi
  say "browser experiments use $(cat .socklab-chromium)"
fi
say "done: socklab $(node -p "require('./package.json').version") on Node.js $(node --version)"
