// The POSIX sh scripts socklab puts in an experiment's folder on another machine (FOLDER/.socklab/)
// and runs there over SSH. They do there what process/ does here: a program in its own session and
// process group (setsid), stopped as a whole (SIGTERM, SIGKILL after the grace period), its exit
// status recorded, escaped processes found by their tag, and the folder removed. They use
// only sh, setsid, kill, sleep (fractions of a second: GNU coreutils, busybox), mktemp, tar and ss (iproute2).
// A program's files are STATE.pgid (its process group, which setsid made its pid), STATE.status
// (`exit N` as its shell saw it) and STATE.notfound, where STATE is FOLDER/.socklab/N.

/**
 * The tag of a program on another machine. A variable of its own, not SOCKLAB_TAG: a sweep on this
 * machine must never take a program there for one of its own, which matters where "another machine"
 * shares this one's processes (a network namespace of it, as in socklab's tests).
 */
export const REMOTE_TAG_VARIABLE = 'SOCKLAB_REMOTE_TAG';

/** Makes the folder (`sh -s -- LABEL`) into $folder; remote-folder.ts adds the scripts and prints $folder. */
export const MAKE_FOLDER = `set -e
folder=$(mktemp -d "\${TMPDIR:-/tmp}/socklab-$1.XXXXXXXX")
mkdir "$folder/.socklab"
`;

/**
 * run.sh FOLDER N WORKDIR COUNT [NAME=VALUE × COUNT] COMMAND [ARGUMENT…]: runs the program in WORKDIR
 * with those variables added to its environment. Its stdin, stdout and stderr are the SSH session's.
 * A watcher stops the program's group when the SSH session that started it ends without socklab
 * stopping it (socklab was killed, the connection broke): nothing socklab started outlives it here.
 */
export const RUN = `state="$1/.socklab/$2"; workdir=$3; shift 3
cd "$workdir" 2>/dev/null || { echo "socklab: no folder $workdir on $(uname -n)" >&2; exit 125; }
parent=$PPID
setsid sh -c '
  while kill -s 0 "$1" 2>/dev/null; do sleep 1; done
  if pg=$(cat "$0.pgid" 2>/dev/null); then
    kill -s TERM -- "-$pg" 2>/dev/null; sleep 1; kill -s KILL -- "-$pg" 2>/dev/null
  fi' "$state" "$parent" </dev/null >/dev/null 2>&1 &
watcher=$!
# The shell reports a program killed by a signal ("Killed") on the command's stderr: that is /dev/null
# here, and the program gets the session's stderr back (fd 4) before it starts.
exec 4>&2
setsid sh -c '
  exec 2>&4 4>&-
  echo $$ > "$0.pgid"
  count=$1; shift
  while [ "$count" -gt 0 ]; do export "$1"; shift; count=$((count - 1)); done
  command -v "$1" >/dev/null 2>&1 || { : > "$0.notfound"; exit 127; }
  exec "$@"' "$state" "$@" 2>/dev/null
status=$?
kill -s KILL -- "-$watcher" 2>/dev/null
echo "exit $status" > "$state.status" 2>/dev/null
exit "$status"
`;

/** stop.sh FOLDER N GRACE_MS: SIGTERM to the program's group, SIGKILL once GRACE_MS passed; prints how it went. */
export const STOP = `state="$1/.socklab/$2"; tenths=$((($3 + 99) / 100))
i=0
while [ ! -s "$state.pgid" ]; do
  [ -e "$state.status" ] && { echo "not started"; exit 0; }
  [ "$i" -ge 30 ] && { echo "not started"; exit 0; }
  sleep 0.1; i=$((i + 1))
done
pg=$(cat "$state.pgid")
kill -s TERM -- "-$pg" 2>/dev/null || { echo "already ended"; exit 0; }
i=0
while kill -s 0 -- "-$pg" 2>/dev/null; do
  if [ "$i" -ge "$tenths" ]; then kill -s KILL -- "-$pg" 2>/dev/null; echo "killed"; exit 0; fi
  sleep 0.1; i=$((i + 1))
done
echo "terminated"
`;

/** status.sh FOLDER N: what became of the program, as `key=value` lines. */
export const STATUS = `state="$1/.socklab/$2"
echo "status=$(cat "$state.status" 2>/dev/null)"
echo "pid=$(cat "$state.pgid" 2>/dev/null)"
[ -e "$state.notfound" ] && echo "notfound=yes"
exit 0
`;

/**
 * sockets.sh FOLDER N: the program's own sockets (held by a process of its session), one per line:
 * `tcp LISTEN 198.51.100.2:40123`, `udp UNCONN 0.0.0.0:40124`. Read with ss, as /proc is read here.
 */
export const SOCKETS = `pg=$(cat "$1/.socklab/$2.pgid" 2>/dev/null) || exit 0
ss -Htuanp 2>/dev/null | while read -r netid state receive send local peer users; do
  for pid in $(echo "$users" | grep -o 'pid=[0-9]*' | cut -d= -f2); do
    session=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f4)
    if [ "$session" = "$pg" ]; then echo "$netid $state $local"; break; fi
  done
done
exit 0
`;

/**
 * cleanup.sh FOLDER TAG: kills whatever still carries the experiment's REMOTE_TAG_VARIABLE (a program that left
 * its process group), a few rounds for programs that fork meanwhile, then removes FOLDER. Prints the pids it killed.
 */
export const CLEANUP = `folder=$1; tag=$2
for round in 1 2 3 4 5; do
  found=0
  for environ in /proc/[0-9]*/environ; do
    tr '\\0' '\\n' < "$environ" 2>/dev/null | grep -qxF "${REMOTE_TAG_VARIABLE}=$tag" || continue
    pid=\${environ#/proc/}; pid=\${pid%/environ}
    kill -s KILL "$pid" 2>/dev/null && { found=$((found + 1)); echo "killed $pid"; }
  done
  [ "$found" -eq 0 ] && break
  sleep 0.1
done
rm -rf "$folder" 2>/dev/null || { sleep 0.2; rm -rf "$folder"; }
exit 0
`;

/** The scripts by file name, as installed in FOLDER/.socklab/. */
export const INSTALLED_SCRIPTS = { 'run.sh': RUN, 'stop.sh': STOP, 'status.sh': STATUS, 'sockets.sh': SOCKETS, 'cleanup.sh': CLEANUP } as const;
export type ScriptName = keyof typeof INSTALLED_SCRIPTS;
