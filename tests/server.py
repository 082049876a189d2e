#!/usr/bin/env python3
"""Local HTTP(S) test server for the restpipe test-suite.

Serves a deterministic, paginated sample API (/v1/resource), a few helper
endpoints (/echo, /status/N, /bytes/N, /raw, /redirect?to=URL) and control endpoints under /_
to inject faults and inspect the requests it has received.

/v1/resource pages by offset and limit (also named start and size, or
page[offset] and page[limit]), or by page and page_size (page also named
p). Query knobs shape it: records=N, max_limit=N (clamp the page size),
base_page=N, wrap=PATH|none, total=omit|null, total_key=PATH, has_more=1|str,
pretty=1, require_key=1, and, for servers that do not page as they claim:
  ignore_offset=1   serve the first page whatever the offset or page asked
  short_at=OFFSET   the page that starts at OFFSET lacks its last record
  total_value=JSON  the total, written as given (e.g. "5" or 1e3)
  big_header=N      add an X-Big header of N bytes
  total_header=count|range|unknown
                    the total only in a header: X-Total-Count: N, or
                    Content-Range: A-B/N (*/N for no records, A-B/* for
                    unknown); total_header_value=TEXT sends TEXT instead
  by_page=1         page by number when no offset is asked, the base page
                    when no page is
and, for a server whose data changed since the last sync:
  skip_ids=LIST     the records of these ids (1,5,9) are gone: pages and
                    total are made of the others
  edit_ids=LIST     the records of these ids have the note "edited"
and, for incremental loading (see updated_page): updated=1,
changed_every=N, updated_since=TEXT.
/v2/links pages by a link or a cursor each page gives (json, nested,
relative, odata, header, cursor, header_cursor: see links_page), and
POST /v2/search by a cursor, offset or page in the JSON body.
/api/v2/KIND is PokeAPI-like (a next URL in the body) and
/github/repos/OWNER/REPO/issues GitHub-like (a Link header, a bearer
token), for the configurations of examples/.
/oauth/token is an OAuth2 token endpoint (client credentials grant) and
require_token=1 makes /v1/resource ask for one of its tokens.
/raw?body=TEXT answers TEXT, with each $offset in it replaced by the offset
asked, so that a page can differ from the one before.

Usage: server.py --port-file FILE [--tls CERT KEY] [--records N]
"""

import argparse
import datetime
import functools
import http
import http.cookies
import json
import math
import os
import re
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

API_KEY = "sekrit-key-123"
CLIENT_ID = "restpipe-client"
CLIENT_SECRET = "client-sekrit-456"
TOKEN_GRACE = 5  # seconds a token stays good past its expires_in
LABELS = ["cat", "dog", "bird", "café", "東京"]
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
CHANGED_AT = "2027-01-01T00:00:00Z"
ACTIONS = {"status", "drop", "truncate", "slow", "reset"}
CHUNK = 8192
MAX_BYTES = 1 << 30
INT_RE = re.compile(r"-?[0-9]+\Z")


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=None)
def record_json(i):
    """JSON text of sample record i (0-based); cached, pages join these."""
    created = EPOCH + datetime.timedelta(minutes=i)
    return compact({
        "id": i + 1,
        "image_id": "img-%06d" % (i + 1),
        "analysis_result": {
            "label": LABELS[i % 5],
            "confidence": round((i % 100) / 100 + 0.005, 3),
            "tags": ["tag-%d" % (i % 3), "batch-%d" % (i // 50)],
        },
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "width": 640 + i % 3,
        "reviewed": i % 2 == 0,
        "note": None if i % 4 == 0 else 'note "%d"\n' % (i + 1),
    })


def edited_json(i):
    """Sample record i as it is after an edit: its note changed."""
    record = json.loads(record_json(i))
    record["note"] = "edited"
    return compact(record)


def id_list(args, name):
    """The set of ids of a comma-separated query knob."""
    value = args.get(name)
    if not value:
        return set()
    ids = value.split(",")
    if not all(INT_RE.match(i) for i in ids):
        raise BadRequest("%s must be a list of integers" % name)
    return {int(i) for i in ids}


class Raw(str):
    """Already-serialized JSON text, embedded verbatim by serialize()."""


def serialize(node):
    if isinstance(node, Raw):
        return node
    return "{" + ",".join(compact(k) + ":" + serialize(v)
                          for k, v in node.items()) + "}"


def serialize_any(node):
    """serialize() for trees that may hold plain JSON values too."""
    if isinstance(node, Raw):
        return node
    if isinstance(node, dict):
        return "{" + ",".join(compact(k) + ":" + serialize_any(v)
                              for k, v in node.items()) + "}"
    return compact(node)


def put(tree, dotted, value):
    """Store value in nested dict tree under a dotted key (a.b.c)."""
    *parents, last = dotted.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
        if not isinstance(tree, dict):
            raise ValueError("conflicting key %r" % dotted)
    if isinstance(tree.get(last), dict):
        raise ValueError("conflicting key %r" % dotted)
    tree[last] = value


class BadRequest(Exception):
    pass


def int_arg(args, name, default):
    value = args.get(name)
    if value is None:
        return default
    if not INT_RE.match(value) or int(value) < 0:
        raise BadRequest("%s must be a non-negative integer" % name)
    return int(value)


def alias(args, name, *others):
    """Read the first of the other names given as name (in place)."""
    for other in others:
        if name not in args and other in args:
            args[name] = args[other]


class Fault:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("fault rule must be an object")
        self.path = spec.get("path", "")
        self.args = {k: str(v) for k, v in (spec.get("args") or {}).items()}
        self.times = int(spec.get("times", 1))
        self.skip = int(spec.get("skip", 0))
        self.action = spec.get("action")
        if self.action not in ACTIONS:
            raise ValueError("unknown action %r" % (self.action,))
        self.status = int(spec.get("status", 500))
        self.headers = {str(k): str(v)
                        for k, v in (spec.get("headers") or {}).items()}
        self.body = spec.get("body")
        self.delay = float(spec.get("delay", 1.0))
        if not isinstance(self.path, str) or not 100 <= self.status <= 599:
            raise ValueError("bad path or status in fault rule")

    def matches(self, path, args):
        return (self.times != 0 and path.startswith(self.path)
                and all(args.get(k) == v for k, v in self.args.items()))


class Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, addr, handler, records):
        super().__init__(addr, handler)
        self.records = records
        self.lock = threading.Lock()
        self.reset()

    def server_bind(self):
        # Skip HTTPServer's getfqdn() (a reverse DNS lookup).
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        # Clients hanging up (or failing TLS) are routine in fault tests.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def reset(self):
        with self.lock:
            self.faults = []
            self.log = []
            self.connections = 0
            self.tokens = {}
            self.generation = getattr(self, "generation", 0) + 1

    def record(self, handler, entry):
        """Log a request; returns its connection number."""
        with self.lock:
            if handler.conn_gen != self.generation:
                self.connections += 1
                handler.conn_gen = self.generation
                handler.conn_no = self.connections
            self.log.append({"conn": handler.conn_no, **entry})
            return handler.conn_no

    def take_fault(self, path, args):
        with self.lock:
            for rule in self.faults:
                if not rule.matches(path, args):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                if rule.times > 0:
                    rule.times -= 1
                return rule
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "restpipe-test/1.0"

    def setup(self):
        super().setup()
        self.conn_gen = self.conn_no = None
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()

    def log_message(self, format, *args):
        pass

    def __getattr__(self, name):
        # Route every method (do_GET, do_PATCH, do_FOO, ...) to dispatch().
        if name.startswith("do_"):
            return self.dispatch
        raise AttributeError(name)

    # -- I/O helpers ---------------------------------------------------------

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"x", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(16)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        if not length.isdigit():
            raise ValueError("bad Content-Length")
        return self.rfile.read(int(length))

    def send(self, status, body=b"", ctype="application/json", headers=None,
             chunked=False, cut=False):
        """Write a complete response (or, with cut, half of its body)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = dict(headers or {})
        bodyless = status in (204, 304)
        if bodyless:
            body = b""
        elif ctype and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = ctype
        if chunked and not bodyless:
            headers["Transfer-Encoding"] = "chunked"
        elif not bodyless:
            headers["Content-Length"] = str(len(body))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD" or bodyless:
            return
        if cut:
            body = body[:len(body) // 2]
            self.close_connection = True
        if not chunked:
            self.wfile.write(body)
            return
        for start in range(0, len(body), CHUNK):
            piece = body[start:start + CHUNK]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if not cut:
            self.wfile.write(b"0\r\n\r\n")

    def send_json(self, status, obj, **kw):
        self.send(status, compact(obj), **kw)

    def abort(self, rst):
        """Close the connection without a response; rst: send a TCP RST."""
        self.close_connection = True
        if rst:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
            # The socket only really closes once rfile drops its reference.
            self.rfile.close()
            self.request.close()

    # -- dispatch ------------------------------------------------------------

    def dispatch(self):
        url = urlsplit(self.path)
        path, query = url.path, url.query
        args = dict(parse_qsl(query, keep_blank_values=True))
        try:
            body = self.read_body()
        except ValueError:
            self.close_connection = True
            return self.send_json(400, {"error": "bad request body"})
        if path.startswith("/_"):
            return self.control(path, body)

        req = {"method": self.command, "path": path, "query": query,
               "args": args, "headers": dict(self.headers.items()),
               "body": body.decode("utf-8", errors="replace")}
        self.server.record(self, req)
        fault = self.server.take_fault(path, args)
        if fault is None:
            return self.route(req)
        if fault.action == "status":
            body = fault.body
            if body is None:
                body = compact({"error": "injected"})
            return self.send(fault.status, body, headers=fault.headers)
        if fault.action in ("drop", "reset"):
            return self.abort(rst=fault.action == "reset")
        if fault.action == "slow":
            time.sleep(fault.delay)
            return self.route(req)
        return self.route(req, cut=True)  # truncate

    def route(self, req, cut=False):
        path, method, args = req["path"], req["method"], req["args"]
        try:
            if path.startswith("/echo"):
                return self.send_json(200, {k: req[k] for k in (
                    "method", "path", "query", "args", "headers", "body")},
                    cut=cut)
            if path == "/redirect":
                # 302 to args["to"], so clients can be seen following or not.
                return self.send_json(302, {"to": args.get("to", "/echo")},
                                      headers={"Location":
                                               args.get("to", "/echo")},
                                      cut=cut)
            if path.startswith("/status/"):
                code = path[len("/status/"):]
                if not code.isdigit() or not 200 <= int(code) <= 599:
                    raise BadRequest("status must be 200..599")
                code = int(code)
                try:
                    message = http.HTTPStatus(code).phrase
                except ValueError:
                    message = "Unknown"
                return self.send_json(code, {"status": code,
                                             "message": message}, cut=cut)
            if path == "/v2/links":
                return self.links_page(args, cut)
            if path.startswith("/api/v2/"):
                return self.pokeapi_page(path, args, cut)
            if path.startswith("/github/repos/"):
                return self.github_page(path, args, cut)
            if path == "/v2/search":
                return self.search_page(req, args, cut)
            if path == "/oauth/token":
                return self.token(req, args, cut)
            if path.startswith("/blog/"):
                return self.blog(path, args, cut)
            if path == "/v1/posts" and method == "GET":
                return self.send(200, self.posts_page(args), cut=cut)
            if path.startswith("/v1/posts/"):
                return self.posts_filtered(req, args, cut)
            if path not in ("/v1/resource", "/raw") and \
                    not path.startswith("/bytes/"):
                return self.send_json(404, {"error": "not found"}, cut=cut)
            if method not in ("GET", "HEAD"):
                return self.send_json(405, {"error": "method not allowed"},
                                      headers={"Allow": "GET, HEAD"}, cut=cut)
            if path == "/raw":
                body = args.get("body", "")
                return self.send(200, body.replace(
                    "$offset", args.get("offset", "")), cut=cut)
            if path.startswith("/bytes/"):
                count = path[len("/bytes/"):]
                if not count.isdigit() or int(count) > MAX_BYTES:
                    raise BadRequest("bad byte count")
                return self.send(200, b"x" * int(count), ctype="text/plain",
                                 chunked=args.get("chunked") == "1", cut=cut)
            if args.get("require_key") == "1" and not self.authorized(args):
                return self.send_json(401, {"error": "unauthorized"}, cut=cut)
            if args.get("require_token") == "1" and not self.token_valid():
                return self.send_json(401, {"error": "invalid token"},
                                      cut=cut)
            big = int_arg(args, "big_header", 0)
            body = self.resource_page(args)
            headers = {"X-Big": "x" * big} if big else {}
            headers.update(self.total_headers(args))
            return self.send(200, body, cut=cut, headers=headers)
        except BadRequest as err:
            return self.send_json(400, {"error": str(err)}, cut=cut)

    def blog(self, path, args, cut):
        """Parent and child resources (issue 13): 5 posts (offset paging,
        with a total; posts up to 9 answer, for a list a fault rewrites),
        post N has N comments (offset paging), each comment
        2 likes (one list, no paging), each post one author object.  The
        comments of the posts in ?gone=a,b are 404; ?delay=S waits S
        seconds before answering the comments; ?pad=N gives each post a
        member "pad" of N bytes.  ?ids=a,b gives the posts these ids, as
        strings: a post whose id is not a number has one comment, and
        its id is read from the path percent-decoded, as servers do.
        /blog/comments lists every comment of the 5 posts, which a
        client that dropped a dot segment would get instead."""
        parts = path.strip("/").split("/")
        offset = int_arg(args, "offset", 0)
        limit = int_arg(args, "limit", 100)

        def page(items):
            return self.send_json(200, {"total": len(items),
                                        "data": items[offset:offset + limit]},
                                  cut=cut)
        if parts == ["blog", "posts"] and "ids" in args:
            return page([{"id": i, "title": "post %s" % i}
                         for i in args["ids"].split(",")])
        if parts == ["blog", "posts"]:
            pad = int_arg(args, "pad", 0)
            return page([dict({"id": i, "title": "post %d" % i,
                               "userId": 10 + i},
                              **({"pad": "x" * pad} if pad else {}))
                         for i in range(1, 6)])
        if parts == ["blog", "comments"]:
            return page([{"id": post * 100 + k, "postId": post,
                          "body": "comment %d of post %d" % (k, post)}
                         for post in range(1, 6)
                         for k in range(1, post + 1)])
        if len(parts) == 4 and parts[1] == "posts" and \
                parts[3] == "comments" and not parts[2].isdigit():
            post = unquote(parts[2])
            return page([{"id": post + "-1", "postId": post,
                          "body": "comment 1 of post %s" % post}])
        if len(parts) == 4 and parts[1] == "posts" and parts[2].isdigit():
            post = int(parts[2])
            if not 1 <= post <= 9:
                return self.send_json(404, {"error": "no such post"}, cut=cut)
            if parts[3] == "author":
                return self.send_json(200, {"postId": post,
                                            "name": "author %d" % post},
                                      cut=cut)
            if parts[3] == "comments":
                if str(post) in args.get("gone", "").split(","):
                    return self.send_json(404, {"error": "post gone"},
                                          cut=cut)
                time.sleep(float(args.get("delay", "0")))
                return page([{"id": post * 100 + k, "postId": post,
                              "body": "comment %d of post %d" % (k, post)}
                             for k in range(1, post + 1)])
        if len(parts) == 4 and parts[1] == "comments" and \
                parts[2].isdigit() and parts[3] == "likes":
            comment = int(parts[2])
            return self.send_json(200, [{"id": comment * 10 + k,
                                         "commentId": comment}
                                        for k in (1, 2)], cut=cut)
        return self.send_json(404, {"error": "not found"}, cut=cut)

    def token(self, req, args, cut):
        """POST /oauth/token: OAuth2's client credentials grant.

        The form must hold grant_type=client_credentials and the client id
        and secret; need_NAME=VALUE knobs require more fields.  Knobs:
        expires_in=N|omit (default 3600), expires_value=JSON (written as
        given), reject=1 (always 401), no_token=1 (no access_token).  A
        wrong secret is echoed in the error, as careless servers do.
        """
        if req["method"] != "POST":
            return self.send_json(405, {"error": "method not allowed"},
                                  headers={"Allow": "POST"}, cut=cut)
        form = dict(parse_qsl(req["body"], keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return self.send_json(400, {"error": "unsupported_grant_type"},
                                  cut=cut)
        for key, value in args.items():
            if key.startswith("need_") and form.get(key[5:]) != value:
                return self.send_json(400, {"error": "invalid_request",
                                            "missing": key[5:]}, cut=cut)
        if (args.get("reject") == "1" or form.get("client_id") != CLIENT_ID
                or form.get("client_secret") != CLIENT_SECRET):
            return self.send_json(401, {
                "error": "invalid_client",
                "error_description": "no client %r with secret %r" % (
                    form.get("client_id"), form.get("client_secret"))},
                cut=cut)
        life = args.get("expires_in", "3600")
        with self.server.lock:
            token = "access-tok-%04d" % (len(self.server.tokens) + 1)
            expiry = int(life) if INT_RE.match(life) else 3600
            self.server.tokens[token] = time.monotonic() + expiry + \
                TOKEN_GRACE
        answer = {"token_type": "bearer"}
        if args.get("no_token") == "1":
            answer["accessToken"] = token
        else:
            answer["access_token"] = token
        text = compact(answer)
        if "expires_value" in args:
            text = text[:-1] + ',"expires_in":' + args["expires_value"] + "}"
        elif life != "omit":
            text = text[:-1] + ',"expires_in":' + life + "}"
        return self.send(200, text, cut=cut)

    def token_valid(self):
        """Whether the request carries a bearer token that is good now."""
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            return False
        with self.server.lock:
            expiry = self.server.tokens.get(header[7:])
        return expiry is not None and time.monotonic() < expiry

    def total_headers(self, args):
        """The total as a header only (total_header=count|range|unknown),
        or as total_header_value gives it, verbatim."""
        kind = args.get("total_header")
        if kind is None:
            return {}
        start, end, total = self.page_range
        if "total_header_value" in args:
            value = args["total_header_value"]
        elif kind == "count":
            value = str(total)
        else:
            span = "%d-%d" % (start, end - 1) if end > start else "*"
            value = "%s/%s" % (span, "*" if kind == "unknown" else total)
        name = "X-Total-Count" if kind == "count" else "Content-Range"
        return {name: value}

    def authorized(self, args):
        if args.get("api_key") == API_KEY:
            return True
        if self.headers.get("X-API-Key") == API_KEY:
            return True
        if self.headers.get("Authorization") == "Bearer " + API_KEY:
            return True
        cookies = http.cookies.SimpleCookie()
        try:
            for header in self.headers.get_all("Cookie") or []:
                cookies.load(header)
        except http.cookies.CookieError:
            return False
        return "api_key" in cookies and cookies["api_key"].value == API_KEY

    def resource_page(self, args):
        """Body of a GET /v1/resource page, built from cached records."""
        args = dict(args)  # the request log keeps what was sent
        total = int_arg(args, "records", self.server.records)
        alias(args, "offset", "start", "page[offset]")
        alias(args, "limit", "size", "page[limit]")
        alias(args, "page", "p")
        if args.get("by_page") == "1" and "offset" not in args:
            args.setdefault("page", str(int_arg(args, "base_page", 1)))
        paged = "page" in args and "offset" not in args
        if paged:
            limit = int_arg(args, "page_size", int_arg(args, "limit", 10))
        else:
            limit = int_arg(args, "limit", 10)
        limit = min(limit, int_arg(args, "max_limit", limit))
        if paged:
            page = args["page"]
            base = int_arg(args, "base_page", 1)
            if not INT_RE.match(page) or int(page) < base:
                raise BadRequest("page must be an integer >= %d" % base)
            offset = (int(page) - base) * limit
        else:
            offset = int_arg(args, "offset", 0)
        if args.get("ignore_offset") == "1":
            offset = 0

        if "updated" in args or "changed_every" in args or \
                "updated_since" in args:
            return self.updated_page(args, offset, limit, total)
        skip = id_list(args, "skip_ids")
        edit = id_list(args, "edit_ids")
        kept = range(total)
        if skip:
            kept = [i for i in kept if i + 1 not in skip]
            total = len(kept)
        end = min(offset + limit, total)
        if offset == int_arg(args, "short_at", -1) and end > offset:
            end -= 1
        self.page_range = (offset, end, total)
        if "total_header" in args:
            args["total"] = "omit"
        data = Raw("[" + ",".join(edited_json(kept[i]) if kept[i] + 1 in
                                  edit else record_json(kept[i])
                                  for i in range(offset, end)) + "]")
        if args.get("wrap") == "none":
            text = data
        else:
            tree = {}
            try:
                put(tree, args.get("wrap") or "data", data)
                if args.get("total") != "omit":
                    put(tree, args.get("total_key") or "total", Raw(
                        "null" if args.get("total") == "null" else
                        args.get("total_value", total)))
                more = offset + limit < total
                if args.get("has_more") == "1":
                    put(tree, "has_more", Raw(compact(more)))
                elif args.get("has_more") == "str":
                    put(tree, "has_more", Raw('"yes"' if more else '"no"'))
                if paged:
                    pages = math.ceil(total / limit) if limit else 0
                    put(tree, "total_pages", Raw(pages))
            except ValueError as err:
                raise BadRequest(str(err))
            text = serialize(tree)
        if args.get("pretty") == "1":
            text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
        return text

    def updated_page(self, args, offset, limit, total):
        """A /v1/resource page whose records have an updated_at: their
        created_at, or 2027-01-01T00:00:00Z for every Nth record
        (changed_every=N: ids N, 2N, ...), edited then; updated_since=TEXT
        keeps the records updated at TEXT or later, paged and counted,
        in id order.  The records a page skips are never built."""
        every = int_arg(args, "changed_every", 0)
        since = args.get("updated_since")
        first = 0
        changed = CHANGED_AT
        if since is not None:
            try:
                at = datetime.datetime.fromisoformat(since)
            except ValueError:
                raise BadRequest("updated_since: not an ISO 8601 datetime")
            if at.tzinfo is None:
                at = at.replace(tzinfo=datetime.timezone.utc)
            first = max(0, math.ceil((at - EPOCH).total_seconds() / 60))
            if at > datetime.datetime.fromisoformat(changed):
                every = 0
        first = min(first, total)
        # The changed records before first, then every one from first.
        low = list(range(every - 1, first, every)) if every > 0 else []
        count = len(low) + total - first
        page = low[offset:offset + limit]
        start = first + max(0, offset - len(low))
        page += range(start, min(start + limit - len(page), total))
        rows = []
        for i in page:
            if every > 0 and (i + 1) % every == 0:
                text, stamp = edited_json(i), changed
            else:
                text = record_json(i)
                stamp = (EPOCH + datetime.timedelta(minutes=i)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ")
            rows.append(text[:-1] + ',"updated_at":"%s"}' % stamp)
        return serialize({"data": Raw("[" + ",".join(rows) + "]"),
                          "total": Raw(count)})

    # -- link and cursor paging ----------------------------------------------

    def records_at(self, args, at):
        """The records from at, limit of them, of records=N, as JSON text."""
        total = int_arg(args, "records", self.server.records)
        limit = int_arg(args, "limit", 10)
        end = min(at + limit, total)
        return Raw("[" + ",".join(record_json(i)
                                  for i in range(at, end)) + "]"), end, total

    def links_page(self, args, cut):
        """GET /v2/links: paging by a reference each page gives.

        style=json (next URL in "next"), nested (links.next), relative
        (a relative link), relpath (an absolute path), odata
        (value, @odata.nextLink), header (a Link header), cursor
        (cursors.next, read back from cursor= or cparam=NAME), number
        (a numeric cursor in next_cursor), header_cursor (a "next"
        header or hname=NAME).  at=K is where a page starts.  Knobs:
        end=null|empty|omit says how the last page has no next; loop=A:B,
        the page at A names the page at B; other_host=A, the page at A
        names its next on localhost instead; has_more=1 adds has_more;
        require_key=1 needs the key.
        """
        style = args.get("style", "json")
        cparam = args.get("cparam", "cursor")
        if style in ("cursor", "header_cursor"):
            c = args.get(cparam, "c0")
            if not c.startswith("c") or not INT_RE.match(c[1:]):
                raise BadRequest("bad cursor %r" % c)
            at = int(c[1:])
        elif style == "number":
            at = int_arg(args, cparam, 0)
        else:
            at = int_arg(args, "at", 0)
        if args.get("require_key") == "1" and not self.authorized(args):
            return self.send_json(401, {"error": "unauthorized"}, cut=cut)
        data, end, total = self.records_at(args, at)
        nxt = end if end < total else None
        loop = args.get("loop", "")
        if loop:
            a, b = (int(x) for x in loop.split(":"))
            if at == a:
                nxt = b
        host = self.headers.get("Host", "")
        if args.get("other_host") == str(at) and nxt is not None:
            host = "localhost:" + host.rsplit(":", 1)[-1]
        keep = [(k, v) for k, v in parse_qsl(urlsplit(self.path).query,
                                             keep_blank_values=True)
                if k not in ("at", cparam)]
        query = urlencode(keep + [("at", nxt)])
        link = None
        if nxt is not None:
            link = {"relative": "links?" + query,
                    "relpath": "/v2/links?" + query}.get(
                style, "http://%s/v2/links?%s" % (host, query))
        ending = args.get("end", "null")
        headers = {}
        tree = {"data": data}
        if style in ("json", "relative", "relpath"):
            tree["next"] = link
        elif style == "nested":
            tree["links"] = {"self": "http://%s%s" % (host, self.path),
                             "next": link}
        elif style == "odata":
            tree = {"value": data, "@odata.nextLink": link}
        elif style == "cursor":
            tree["cursors"] = {"next": None if nxt is None else "c%d" % nxt}
        elif style == "number":
            tree["next_cursor"] = nxt
        elif style == "header":
            links = ['<http://%s/v2/links?%s>; rel="first"' % (
                host, urlencode(keep + [("at", 0)]))]
            if link is not None:
                links.insert(0, '<%s>; rel="next"' % link)
            headers["Link"] = ", ".join(links)
        elif style == "header_cursor":
            if nxt is not None:
                headers[args.get("hname", "next")] = "c%d" % nxt
        else:
            raise BadRequest("unknown style")
        for key in ("next", "@odata.nextLink"):
            if key in tree and tree[key] is None:
                if ending == "omit":
                    del tree[key]
                elif ending == "empty":
                    tree[key] = ""
        if args.get("has_more") == "1":
            tree["has_more"] = nxt is not None
        if style in ("header", "header_cursor"):
            return self.send(200, data, headers=headers, cut=cut)
        return self.send(200, serialize_any(tree), headers=headers, cut=cut)

    # -- the examples' APIs ------------------------------------------------

    def pokeapi_page(self, path, args, cut):
        """GET /api/v2/KIND: a PokeAPI-like list, offset and limit (20),
        {"count", "next" (an absolute URL or null), "previous",
        "results": [{"name", "url"}]}; records=N of them."""
        kind = path[len("/api/v2/"):].strip("/")
        if not kind or "/" in kind:
            return self.send_json(404, {"detail": "Not found."}, cut=cut)
        total = int_arg(args, "records", self.server.records)
        offset = int_arg(args, "offset", 0)
        limit = int_arg(args, "limit", 20)
        end = min(offset + limit, total)
        base = "http://%s/api/v2/%s/" % (self.headers.get("Host", ""), kind)

        def page(at):
            return "%s?offset=%d&limit=%d" % (base, at, limit)

        results = [{"name": "%s-%d" % (kind, i + 1),
                    "url": "%s%d/" % (base, i + 1)}
                   for i in range(offset, end)]
        return self.send_json(200, {
            "count": total, "next": page(end) if end < total else None,
            "previous": page(max(offset - limit, 0)) if offset > 0 else None,
            "results": results}, cut=cut)

    def github_page(self, path, args, cut):
        """GET /github/repos/OWNER/REPO/issues: a GitHub-like list, the
        token required as a bearer; page (1) and per_page (30), a Link
        header with next and last while there are more; records=N."""
        parts = path.split("/")
        if len(parts) != 6 or parts[5] != "issues":
            return self.send_json(404, {"message": "Not Found"}, cut=cut)
        if self.headers.get("Authorization") != "Bearer " + API_KEY:
            return self.send_json(401, {"message": "Bad credentials"},
                                  cut=cut)
        total = int_arg(args, "records", self.server.records)
        page = int_arg(args, "page", 1)
        per = int_arg(args, "per_page", 30)
        if page < 1 or per < 1:
            raise BadRequest("bad page")
        at = (page - 1) * per
        issues = [{"id": 1000 + i, "number": i + 1,
                   "title": "issue %d" % (i + 1),
                   "state": "open" if i % 3 else "closed"}
                  for i in range(at, min(at + per, total))]
        keep = [(k, v) for k, v in parse_qsl(urlsplit(self.path).query,
                                             keep_blank_values=True)
                if k != "page"]
        base = "http://%s%s" % (self.headers.get("Host", ""), path)
        last = max((total + per - 1) // per, 1)
        links = []
        if page < last:
            links.append('<%s?%s>; rel="next"' % (
                base, urlencode(keep + [("page", page + 1)])))
        links.append('<%s?%s>; rel="last"' % (
            base, urlencode(keep + [("page", last)])))
        return self.send(200, compact(issues),
                         headers={"Link": ", ".join(links)}, cut=cut)

    def search_page(self, req, args, cut):
        """POST /v2/search: the position in the JSON body.

        mode=cursor reads the cursor at the body's dotted path
        cursor_at (cursor) and gives the next in next_cursor; mode=offset
        reads offset_at and limit_at (offset, limit); mode=page reads
        page_at (page, from 1) and takes limit= from the query.
        """
        if req["method"] != "POST":
            return self.send_json(405, {"error": "method not allowed"},
                                  headers={"Allow": "POST"}, cut=cut)
        try:
            body = json.loads(req["body"] or "{}")
        except ValueError:
            raise BadRequest("the body is not JSON")

        def at_path(name, default):
            node = body
            for part in args.get(name, default).split("."):
                if not isinstance(node, dict) or part not in node:
                    return None
                node = node[part]
            return node
        mode = args.get("mode", "cursor")
        args = dict(args)
        if mode == "cursor":
            c = at_path("cursor_at", "cursor") or "c0"
            if not isinstance(c, str) or not c.startswith("c"):
                raise BadRequest("bad cursor %r" % (c,))
            at = int(c[1:])
        elif mode == "offset":
            at = at_path("offset_at", "offset")
            limit = at_path("limit_at", "limit")
            if not isinstance(at, int) or not isinstance(limit, int):
                raise BadRequest("offset and limit must be numbers")
            args["limit"] = str(limit)
        else:
            page = at_path("page_at", "page")
            if not isinstance(page, int) or page < 1:
                raise BadRequest("page must be a number from 1")
            at = (page - 1) * int_arg(args, "limit", 10)
        data, end, total = self.records_at(args, at)
        tree = {"data": data, "total": total}
        if mode == "cursor":
            tree["next_cursor"] = "c%d" % end if end < total else None
        return self.send(200, serialize_any(tree), cut=cut)

    def posts_page(self, args):
        """GET /v1/posts: posts=N (23) posts, each with updated_at (day
        N of January 2024, noon) and seq (10 * id), those since=TEXT
        (updated_at >= TEXT) and until=TEXT (<), since_seq=N (seq >= N),
        offset/limit paged (10) with a total.  bump_ids=LIST: those
        posts were updated on 2024-02-01; no_cursor_ids=LIST: those have
        no updated_at; null_cursor_ids=LIST: null there."""
        n = int_arg(args, "posts", 23)
        bump = id_list(args, "bump_ids")
        gone = id_list(args, "no_cursor_ids")
        null = id_list(args, "null_cursor_ids")
        posts = []
        for i in range(1, n + 1):
            post = {"id": i, "title": "post %d" % i, "seq": 10 * i}
            day = "2024-02-01T00:00:00Z" if i in bump else \
                "2024-01-%02dT12:00:00Z" % min(i, 31)
            if i > 31:
                day = "2024-03-01T00:%02d:%02dZ" % (i // 60 % 60, i % 60)
            if i in null:
                post["updated_at"] = None
            elif i not in gone:
                post["updated_at"] = day
            if i in bump:
                post["title"] += " (edited)"
            posts.append(post)
        since, until = args.get("since"), args.get("until")
        if since is not None:
            posts = [p for p in posts if p.get("updated_at") is None or
                     p["updated_at"] >= since]
        if until is not None:
            posts = [p for p in posts if p.get("updated_at") is None or
                     p["updated_at"] < until]
        if "since_seq" in args:
            posts = [p for p in posts if p["seq"] >= int_arg(
                args, "since_seq", 0)]
        offset = int_arg(args, "offset", 0)
        limit = int_arg(args, "limit", 10)
        return compact({"data": posts[offset:offset + limit],
                        "total": len(posts)})

    def posts_filtered(self, req, args, cut):
        """GET /v1/posts/since/TEXT: /v1/posts?since=TEXT; POST
        /v1/posts/search with a JSON object body: its since (a string)
        and since_seq (a number, not a string) as those parameters."""
        path, args = req["path"], dict(args)
        if path.startswith("/v1/posts/since/") and req["method"] == "GET":
            args["since"] = unquote(path[len("/v1/posts/since/"):])
            return self.send(200, self.posts_page(args), cut=cut)
        if path != "/v1/posts/search" or req["method"] != "POST":
            return self.send_json(404, {"error": "not found"}, cut=cut)
        try:
            body = json.loads(req["body"])
        except ValueError:
            return self.send_json(400, {"error": "not JSON"}, cut=cut)
        if "since" in body:
            args["since"] = body["since"]
        if "since_seq" in body:
            if not isinstance(body["since_seq"], int):
                return self.send_json(400, {"error": "since_seq: not a "
                                            "number"}, cut=cut)
            args["since_seq"] = str(body["since_seq"])
        return self.send(200, self.posts_page(args), cut=cut)

    def control(self, path, body):
        server, method = self.server, self.command
        if path == "/_faults" and method == "POST":
            try:
                rules = json.loads(body.decode("utf-8"))
                if not isinstance(rules, list):
                    raise ValueError("expected a JSON list of fault rules")
                rules = [Fault(spec) for spec in rules]
            except (ValueError, TypeError) as err:
                return self.send_json(400, {"error": str(err)})
            with server.lock:
                server.faults = rules
            return self.send_json(200, {"faults": len(rules)})
        if (path, method) in (("/_faults", "DELETE"), ("/_reset", "POST")):
            server.reset()
            return self.send_json(200, {"ok": True})
        if path == "/_requests" and method == "GET":
            with server.lock:
                lines = [compact(entry) + "\n" for entry in server.log]
            return self.send(200, "".join(lines), ctype="application/x-ndjson")
        if path == "/_stats" and method == "GET":
            with server.lock:
                stats = {"requests": len(server.log),
                         "connections": server.connections}
            return self.send_json(200, stats)
        return self.send_json(404, {"error": "unknown control endpoint"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--records", type=int, default=250)
    opts = parser.parse_args()

    server = Server(("127.0.0.1", 0), Handler, opts.records)
    if opts.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*opts.tls)
        # Handshake in the handler thread, not in the accept loop.
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    tmp = "%s.%d.tmp" % (opts.port_file, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, opts.port_file)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
