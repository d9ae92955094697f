#!/usr/bin/env bash
# Gradescope autograder setup: runs once when the autograder image is built, as root, with this
# repository in /autograder/source. Installs what the lab's programs and socklab need.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Interpreters and compilers students use, plus the tools socklab's experiments call.
apt-get install -y -qq --no-install-recommends python3 gcc libc6-dev default-jdk-headless curl tcpdump iproute2 bubblewrap ca-certificates

# socklab needs Node.js >= 20.19. Pick a Gradescope base image that has it (or add it to the image);
# this script refuses to go on with an older one rather than fail later in a confusing way.
if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "setup.sh: socklab needs Node.js >= 20.19 (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
cd /autograder/source
npm ci --no-audit --no-fund
npm run build
