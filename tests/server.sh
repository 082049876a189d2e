# Sourced by the sh scripts (demo, soak, bench, valgrind): a scratch
# directory, removed at exit, and the local test API on a free port.
#
#   . "$here/server.sh"
#   server_up RECORDS      # sets base=http://127.0.0.1:PORT
#
# Needs $here, the tests folder.

tmp=$(mktemp -d)
server_pid=
server_cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null &&
		wait "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap server_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

server_up() {
	python3 "$here/server.py" --port-file "$tmp/port" --records "$1" \
		>"$tmp/server.log" 2>&1 &
	server_pid=$!
	i=0
	while [ ! -s "$tmp/port" ]; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
			cat "$tmp/server.log" >&2
			echo "the test server did not start" >&2
			exit 1
		fi
		sleep 0.1
	done
	base="http://127.0.0.1:$(cat "$tmp/port")"
}
