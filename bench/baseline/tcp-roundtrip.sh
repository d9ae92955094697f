#!/usr/bin/env bash
# The Task 1 TCP round trip (specs/task1/tcp-uppercase.yaml, tcp-lowercase) written the way people
# script it by hand: start the server in the background, poll its port with `sleep 0.05`, pipe a line
# into the client, grep the reply, kill the server. The bench times this against `socklab run`.
# usage: tcp-roundtrip.sh PORT    (exit 0 when the reply was right)
set -u
port=${1:?usage: tcp-roundtrip.sh PORT}
root=$(cd "$(dirname "$0")/../.." && pwd)

node "$root/dist/services/tcp-server.js" "$port" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT

# At most 200 polls (10 s). Opening /dev/tcp connects and closes at once, sending nothing.
for _ in $(seq 200); do
  (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.05
done

reply=$(echo hello world | node "$root/dist/services/tcp-client.js" 127.0.0.1 "$port") || exit 1
echo "$reply" | grep -q "HELLO WORLD"
