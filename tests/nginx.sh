# Sourced by tests/http2.bats and tests/bench-h2.sh: nginx from Debian in
# front of the local test API, over HTTPS and HTTP/2 with a self-signed
# certificate for 127.0.0.1, so rest-paginate -P talks HTTP/2 as it would
# to a real server.  Plain sh.
#
#   nginx_up DIR BACKEND    # DIR: a scratch folder; BACKEND: http://...
#                           # sets h2base=https://127.0.0.1:PORT and
#                           # h2cert=DIR/cert.pem; 1 if nginx is missing
#   nginx_down DIR          # safe to call twice
#
# DIR/access.log has a line per request: the connection's serial number,
# the protocol, the status and the request URI.

nginx_bin() {
	command -v nginx 2>/dev/null || {
		[ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx
	}
}

nginx_up() {
	_dir=$1
	_bin=$(nginx_bin) || return 1
	[ -n "$_bin" ] || return 1
	mkdir -p "$_dir/tmp"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 -keyout "$_dir/key.pem" \
	    -out "$_dir/cert.pem" 2>/dev/null || return 2
	# A port that was free a moment ago: nginx says so if it is not.
	_port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$_dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $_dir/nginx.pid;
error_log $_dir/error.log;
events { worker_connections 64; }
http {
	log_format h2 '\$connection \$server_protocol \$status \$request_uri';
	access_log $_dir/access.log h2;
	client_body_temp_path $_dir/tmp/body;
	proxy_temp_path $_dir/tmp/proxy;
	fastcgi_temp_path $_dir/tmp/fastcgi;
	uwsgi_temp_path $_dir/tmp/uwsgi;
	scgi_temp_path $_dir/tmp/scgi;
	upstream api { server ${2#http://}; keepalive 16; }
	server {
		listen 127.0.0.1:$_port ssl http2;
		ssl_certificate $_dir/cert.pem;
		ssl_certificate_key $_dir/key.pem;
		http2_max_concurrent_streams 128;
		location / {
			proxy_pass http://api;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
CONF
	"$_bin" -c "$_dir/nginx.conf" -p "$_dir" -e "$_dir/error.log" \
	    >"$_dir/nginx.out" 2>&1 &
	echo $! >"$_dir/nginx.pid.sh"
	_i=0
	until curl -fsS --noproxy '*' --max-time 2 --cacert "$_dir/cert.pem" \
	    -o /dev/null "https://127.0.0.1:$_port/_stats" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -ge 100 ] || ! kill -0 "$(cat "$_dir/nginx.pid.sh")" \
		    2>/dev/null; then
			cat "$_dir/nginx.out" "$_dir/error.log" >&2 2>/dev/null
			nginx_down "$_dir"
			return 2
		fi
		sleep 0.05
	done
	: >"$_dir/access.log"
	h2base=https://127.0.0.1:$_port
	h2cert=$_dir/cert.pem
}

nginx_down() {
	[ -f "$1/nginx.pid.sh" ] || return 0
	_pid=$(cat "$1/nginx.pid.sh")
	rm -f "$1/nginx.pid.sh"
	kill "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	return 0
}
