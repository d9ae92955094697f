#!/usr/bin/env bash
# The container image's whole-system check (issue #16): builds the image (scripts/build-image.sh), then
# runs the lab's Task 1 problems inside it the way README.md's quick start does, and checks what came
# out: a student's submission passes p1-p3 confined by bubblewrap with every capture taken, the
# hand-in pack gets its pictures (chromium), C and Java servers pass p1 in the sandbox, and each run
# option the README asks for is needed (without it, something named fails). Slow (the build), so .ci/run runs it
# after `npm test`, not inside it. Exit status: 0 all passed, 1 a check failed, 2 usage, 3 no engine.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/check-image.sh [options]
  --engine podman|docker  the container engine (default: podman where installed, else docker)
  --tag NAME              the image to build and check (default: localhost/socklab:check)
  --no-build              check the image NAME as it is, without building it first
EOF
}

root="$(cd "$(dirname "$0")/.." && pwd)"
engine=""
tag="localhost/socklab:check"
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine="${2:?--engine needs podman or docker}"; shift 2 ;;
    --tag) tag="${2:?--tag needs a name}"; shift 2 ;;
    --no-build) build=false; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "check-image: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
# podman where installed, else docker; the build script says which, or why neither will do.
engine="$("$root/scripts/build-image.sh" ${engine:+--engine "$engine"} --print-engine)"

# What README.md's quick start grants the container, and why (each is checked below to be needed):
# NET_ADMIN makes each experiment's network world (namespaces, veth links, a bridge, addresses, routes,
# iptables rules); SYS_ADMIN lets `ip netns` and bubblewrap make namespaces and mounts; NET_RAW lets
# tcpdump capture; SYS_PTRACE lets socklab (root) read the /proc/PID of the sandboxed programs, which run
# as another user, to see their listening sockets; systempaths=unconfined leaves /proc/sys writable,
# where each host's kernel settings (e.g. which ports need root) are written.
quick_start_options=(--cap-add NET_ADMIN --cap-add SYS_ADMIN --cap-add NET_RAW --cap-add SYS_PTRACE
  --security-opt systempaths=unconfined)
problems=(p1-tcp-client-before-server p2-udp-client-before-server p3-different-ports)

started=$SECONDS
if [ "$build" = true ]; then
  echo "check-image: building $tag"
  "$root/scripts/build-image.sh" --engine "$engine" --tag "$tag"
  echo "check-image: build took $((SECONDS - started)) s"
fi
# This machine's own needs (e.g. runc and lower limits for podman), the same as for the build.
mapfile -t engine_options < <("$root/scripts/build-image.sh" --engine "$engine" --print-run-options)

work="$(mktemp -d "${TMPDIR:-/tmp}/socklab-check-image.XXXXXX")"
containers=()
cleanup() {
  for name in ${containers[@]+"${containers[@]}"}; do "$engine" rm --force "$name" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# in_image NAME OUTPUT [OPTIONS…] -- [ARGS…]: runs the image once, named so that an interrupted check
# removes it, with $submission at /submission; its output goes to OUTPUT and its status to $status.
status=0
submission="$root/test/fixtures/submissions/correct"
in_image() {
  local name="$1" output="$2"; shift 2
  local options=()
  while [ "$1" != -- ]; do options+=("$1"); shift; done
  shift
  local container="socklab-check-$$-$name"
  containers+=("$container")
  mkdir -p "$work/$name"
  status=0
  "$engine" run --rm --name "$container" ${engine_options[@]+"${engine_options[@]}"} \
    -v "$submission:/submission:ro" \
    -v "$work/$name:/work" ${options[@]+"${options[@]}"} "$tag" "$@" >"$output" 2>&1 || status=$?
}

failures=0
pass() { echo "check-image: ok    $1"; }
fail() {
  echo "check-image: FAIL  $1"
  [ -z "${2:-}" ] || sed 's/^/    /' "$2" | tail -n 40
  failures=$((failures + 1))
}
# json FILE EXPRESSION: prints what a JavaScript expression of the parsed FILE (`r`) gives.
json() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"; }

checked=$SECONDS
# 1. The tools, at the versions socklab needs.
# shellcheck disable=SC2016 # expanded by the image's shell
in_image tools "$work/tools.log" --entrypoint sh -- -c '
  node -e "const [a, b] = process.versions.node.split(\".\").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)" || { echo "node $(node --version) < 20.19"; exit 1; }
  for tool in socklab tcpdump chromium bwrap ip iptables python3 java javac gcc make tini; do
    command -v "$tool" >/dev/null || { echo "missing: $tool"; exit 1; }
  done
  echo "node $(node --version), $(python3 --version), $(javac -version 2>&1), gcc $(gcc -dumpfullversion), $(chromium --version 2>/dev/null)"'
if [ "$status" -eq 0 ]; then pass "tools: $(tail -n 1 "$work/tools.log")"; else fail "tools" "$work/tools.log"; fi

# 2. The quick start: a student's submission, confined, against Task 1's problems.
in_image quick-start "$work/quick-start.log" "${quick_start_options[@]}" -- run --sandbox --submission /submission "${problems[@]}"
results="$work/quick-start/reports/results.json"
if [ "$status" -ne 0 ] || [ ! -f "$results" ]; then
  fail "quick start (socklab run --sandbox --submission /submission p1 p2 p3): exit $status" "$work/quick-start.log"
else
  # shellcheck disable=SC2016 # a JavaScript template
  summary="$(json "$results" '`${r.counts.passed} of ${r.counts.total} passed, sandbox ${r.environment.sandbox}, captures: ${r.experiments.map((e) => e.capture?.status ?? "none").join(" ")}`')"
  if [ "$(json "$results" 'r.counts.passed === 3 && r.environment.sandbox !== "off" && r.experiments.every((e) => e.capture?.status === "captured")')" = true ]; then
    pass "quick start: $summary"
  else
    fail "quick start: $summary (expected 3 of 3, sandboxed, every capture taken)" "$work/quick-start.log"
  fi
fi

# 3. The hand-in pack from that run: chromium draws every picture.
in_image quick-start "$work/evidence.log" -- evidence --from reports
evidence="$work/quick-start/reports/evidence/evidence.json"
if [ "$status" -eq 0 ] && [ -f "$evidence" ] && (cd "$(dirname "$evidence")" \
  && [ "$(json "$evidence" 'r.experiments.flatMap((e) => [e.terminals?.png, e.packets?.png]).filter((png) => png && require("fs").statSync(png).size > 1000).length')" = 6 ]); then
  pass "hand-in pack: $(tail -n 1 "$work/evidence.log")"
else
  fail "hand-in pack (socklab evidence --from reports): exit $status, expected 6 pictures" "$work/evidence.log"
fi

# 4. Servers in C and Java (test/fixtures/languages), built and run in the sandbox as a student's
# would be, with the Python client of the submission above.
for language in c java; do
  submission="$work/$language-submission"
  mkdir -p "$submission"
  cp "$root/test/fixtures/submissions/correct/TCPClient.py" "$submission/"
  if [ "$language" = c ]; then
    cp "$root/test/fixtures/languages/tcp_server.c" "$submission/"
    # shellcheck disable=SC2016 # for the image's shell
    printf '#!/bin/sh\ngcc -O2 -o tcp_server tcp_server.c && exec ./tcp_server 0.0.0.0 "$1"\n' >"$submission/server.sh"
    server="sh server.sh"
  else
    cp "$root/test/fixtures/languages/TCPServer.java" "$submission/"
    server="java TCPServer.java 0.0.0.0"
  fi
  printf 'roles:\n  tcp-server: %s\n  tcp-client: python3 TCPClient.py\n' "$server" >"$submission/socklab.yaml"
  in_image "$language-server" "$work/$language-server.log" "${quick_start_options[@]}" -- \
    run --sandbox --submission /submission p1-tcp-client-before-server
  label="a $([ "$language" = c ] && echo C || echo Java) server ($server)"
  if [ "$status" -eq 0 ]; then pass "p1 with $label, sandboxed"
  else fail "p1 with $label, sandboxed: exit $status" "$work/$language-server.log"
  fi
done
submission="$root/test/fixtures/submissions/correct"

# first_reason FILE…: the first line of the files there that says why a run failed, else "p1 fails".
first_reason() {
  local file
  for file in "$@"; do
    [ -f "$file" ] || continue
    grep -h -m 1 -oE '(error [A-Z_]+: .{0,100}|capture skipped: .{0,100}|never became ready: .{0,80}|bwrap cannot .{0,80})' "$file" \
      | sed -E 's/^(error [A-Z_]+|capture skipped): //' && return 0
  done
  echo "p1 fails"
}

# 5. Each of the quick start's options is needed: without it, p1 under --sandbox does not pass cleanly.
for needed in NET_ADMIN SYS_ADMIN NET_RAW SYS_PTRACE systempaths=unconfined; do
  without=()
  for ((i = 0; i < ${#quick_start_options[@]}; i += 2)); do
    [ "${quick_start_options[i + 1]}" = "$needed" ] || without+=("${quick_start_options[i]}" "${quick_start_options[i + 1]}")
  done
  name="without-${needed%%=*}"
  in_image "$name" "$work/$name.log" "${without[@]}" -- run --sandbox --submission /submission p1-tcp-client-before-server
  results="$work/$name/reports/results.json"
  # A capture that could not be taken is skipped, not failed: the run passes, and says why.
  if [ -f "$results" ] && [ "$(json "$results" 'r.counts.passed === 1 && r.experiments[0].capture?.status === "captured"')" = true ]; then
    fail "$needed is needed: p1 passed with its capture without it (the README asks for more than needed)" "$work/$name.log"
  else
    pass "$needed is needed: without it $(first_reason "$work/$name.log" "$results")"
  fi
done

echo "check-image: checks took $((SECONDS - checked)) s, $((SECONDS - started)) s in all"
if [ "$failures" -gt 0 ]; then
  echo "check-image: $failures check(s) failed"
  exit 1
fi
echo "check-image: all checks passed"
