# Helpers for bats files that need the local test server (tests/server.py).
#
#   load server
#   setup_file()    { server_start; }      # exports PORT and BASE
#   teardown_file() { server_stop; }
#   setup()         { server_reset; }

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert

# said "PROG: MESSAGE": a message of one of the programs rest-sync runs,
# as this build says it.  Under make check-reword (RESTPIPE_REWORD set),
# they say every message with its letters rot13'ed (lib/base/diag.c), to prove
# that rest-sync reads none of them: what it acts on comes through the
# report (lib/json/wire.h).  A test of rest-sync writes the text it expects of
# its programs through this.
said() {
	local prog=${1%%: *} msg=${1#*: }
	if [[ -n ${RESTPIPE_REWORD:-} ]]; then
		msg=$(tr 'A-Za-z' 'N-ZA-Mn-za-m' <<<"$msg")
	fi
	printf '%s: %s' "$prog" "$msg"
}

# said_text MESSAGE: said's text without a program's name in front.
said_text() {
	said "x: $1" | sed 's/^x: //'
}

# norecap: $stderr of the last run without rest-sync's recap, the rows it
# says at the end (tested on their own).
norecap() {
	grep -v '^rest-sync: recap: ' <<<"$stderr" || true
}

# curl for control calls: never through a proxy, never hang, accept the
# self-signed certificate of a --tls server.
_server_curl() {
	curl -fsS --noproxy '*' --max-time 10 --insecure "$@"
}

# server_start [--tls CERT KEY] [--records N]
server_start() {
	local dir=${BATS_FILE_TMPDIR:?server_start needs BATS_FILE_TMPDIR}
	local scheme=http arg pid i
	for arg in "$@"; do
		[[ $arg == --tls ]] && scheme=https
	done
	server_stop
	rm -f "$dir/port"
	# fd 3 must be closed or bats waits for the server to exit.
	python3 "$BATS_TEST_DIRNAME/server.py" --port-file "$dir/port" "$@" \
		>"$dir/server.log" 2>&1 3>&- &
	pid=$!
	echo "$pid" >"$dir/server.pid"

	for ((i = 0; i < 200; i++)); do
		[[ -s $dir/port ]] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	if [[ ! -s $dir/port ]]; then
		{
			echo "server_start: test server did not start (pid $pid)"
			echo "--- $dir/server.log:"
			cat "$dir/server.log"
		} >&2
		server_stop
		return 1
	fi
	PORT=$(<"$dir/port")
	export PORT
	export BASE="$scheme://127.0.0.1:$PORT"
}

# server_stop [PIDFILE]: stop the server (or the one whose pid is in
# PIDFILE); safe to call twice.
server_stop() {
	local file=${1:-${BATS_FILE_TMPDIR:?}/server.pid} pid i
	[[ -f $file ]] || return 0
	pid=$(<"$file")
	rm -f "$file"
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Clear fault rules, the request log and the counters.
server_reset() {
	_server_curl -X POST "$BASE/_reset" >/dev/null
}

# server_faults JSON   (or JSON on stdin): replace the fault rules.
server_faults() {
	local rules
	if (($#)); then rules=$1; else rules=$(cat); fi
	_server_curl -X POST -H 'Content-Type: application/json' \
		--data-binary "$rules" "$BASE/_faults" >/dev/null
}

# The request log, one JSON object per line, oldest first.
server_requests() {
	_server_curl "$BASE/_requests"
}

# {"requests":N,"connections":M}
server_stats() {
	_server_curl "$BASE/_stats" && echo
}
