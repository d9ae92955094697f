#!/usr/bin/env bash
# `npm test` as on a machine without socklab's optional tools: in a private mount namespace (root),
# each tool is hidden by binding /dev/null over it, and Debian's aiosmtpd by an empty folder. The
# suite must pass, with the tests that need them pending and one closing line naming the packages.
# usage: scripts/test-without-tools.sh   (from the repository's root, as root; CI is unset inside)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SOCKLAB_TOOLS_HIDDEN:-}" != 1 ]; then
  exec unshare -m --propagation private env SOCKLAB_TOOLS_HIDDEN=1 "$0" "$@"
fi
for tool in tcpdump bwrap tshark chromium xmllint ssh lsof curl /usr/sbin/sshd; do
  path=$(command -v "$tool" || true)
  [ -n "$path" ] && mount --bind /dev/null "$path"
done
aiosmtpd=/usr/lib/python3/dist-packages/aiosmtpd
[ -d "$aiosmtpd" ] && mount -t tmpfs none "$aiosmtpd"
unset CI
npm test
