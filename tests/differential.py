#!/usr/bin/env python3
"""Random inputs and independent reference answers for differential.bats.

    differential.py merge SEED N DIR
        DIR/in1.jsonl, DIR/in2.jsonl: N random records each, keys
        colliding within and across the inputs, with white space to
        remove.  DIR/want1.FMT, DIR/want2.FMT for FMT jsonl and csv: the
        table rest-merge -k id must write from in1 into a new file, and
        then after merging in2 into it, as rest-merge(1) describes.

    differential.py select SEED DIR [--escapes]
        DIR/stream: a stream of random JSON values, one a line, simply
        concatenated or pretty-printed.  DIR/paths: lines of
        "SELECTOR<TAB>JQ-PATH<TAB>ALL", a data_selector in some spelling,
        the same path as a jq path array, and 1 if it matches something
        in every value; DIR/paths.json: the jq paths, as one array.
        Without --escapes, the values are ones jq 1.6 prints as they
        came; with it, they hold escapes, number spellings and repeated
        keys that jq rewrites.

Everything follows from SEED, so a failure can be replayed.
"""
import json
import os
import random
import re
import sys

# A JSON value as the generator builds it, so that it knows both its text
# and its meaning: ("lit", TEXT), ("arr", [V...]), ("obj", [(KEYTEXT, V)...]).


def text(v, rnd=None):
    """The value's text: compact, or with random white space if rnd."""
    def ws():
        return rnd.choice(["", "", " ", "  ", "\t"]) if rnd else ""
    kind, body = v
    if kind == "lit":
        return body
    if kind == "arr":
        inner = ",".join(ws() + text(e, rnd) + ws() for e in body)
        return "[" + inner + ws() + "]"
    inner = ",".join(ws() + k + ws() + ":" + ws() + text(e, rnd) + ws()
                     for k, e in body)
    return "{" + inner + ws() + "}"


def pretty(v, indent=0):
    """The value across lines, as jq and python print it by default."""
    kind, body = v
    pad = "  " * (indent + 1)
    if kind == "lit" or not body:
        return text(v)
    if kind == "arr":
        items = [pad + pretty(e, indent + 1) for e in body]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    items = [pad + k + ": " + pretty(e, indent + 1) for k, e in body]
    return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"


def lit(s):
    return ("lit", s)


def jstr(s):
    """A string literal with only the escapes JSON requires."""
    return json.dumps(s, ensure_ascii=False)


# ---------------------------------------------------------------- merge

# String values, chosen for what a csv writer must do with them: a comma
# alone, quotes, line breaks, a CR, an empty string, bytes past ASCII.
CELLS = ["plain", "a,b", ",", 'say "hi"', '"', "two\nlines", "cr\rhere",
         "crlf\r\nx", "", " padded ", "caf\u00e9", "\u00e9,\"\n", "tab\there",
         "semi;colon", "\U0001F600"]

NUMBERS = ["0", "7", "-3", "1.50", "-0.5", "1e3", "2E-2",
           "12345678901234567890"]


def key_literal(rnd, nkeys):
    """An id: a number, a string of digits, or that string escaped."""
    n = rnd.randrange(nkeys)
    form = rnd.randrange(6)
    if form < 3:
        return lit(str(n))
    if form < 5:
        return lit('"%d"' % n)
    return lit('"' + "".join("\\u%04x" % ord(c) for c in str(n)) + '"')


def string_literal(rnd):
    s = rnd.choice(CELLS)
    t = jstr(s)
    if rnd.randrange(4) == 0:
        # The same string with an escape rest-merge must undo in csv.
        t = t.replace("a", "\\u0061").replace("/", "\\/")
    return lit(t)


def record(rnd, nkeys):
    """A record: its fields in random order, some missing or null."""
    fields = [('"id"', key_literal(rnd, nkeys))]
    if rnd.randrange(5):
        fields.append(('"name"', lit("null") if rnd.randrange(6) == 0
                       else string_literal(rnd)))
    if rnd.randrange(3):
        fields.append(('"score"', lit(rnd.choice(NUMBERS + ["null"]))))
    if rnd.randrange(3):
        fields.append(('"flag"', lit(rnd.choice(["true", "false", "null"]))))
    if rnd.randrange(2):
        form = rnd.randrange(5)
        if form == 0:
            meta = lit("null")
        elif form == 1:
            meta = ("obj", [])
        else:
            inner = [('"a"', string_literal(rnd))]
            if rnd.randrange(2):
                inner.append(('"subKey"', ("obj", [
                    ('"Deep Er"', lit(rnd.choice(NUMBERS + ["null"])))])))
            rnd.shuffle(inner)
            meta = ("obj", inner)
        fields.append(('"meta"', meta))
    if rnd.randrange(3) == 0:
        tags = [string_literal(rnd) for _ in range(rnd.randrange(3))]
        if rnd.randrange(2):
            tags.append(("obj", [('"x"', lit(rnd.choice(NUMBERS)))]))
        fields.append(('"tags"', ("arr", tags)))
    # Names dlt's snake_case changes: "odd_name_xx1", "http_server".
    if rnd.randrange(4) == 0:
        fields.append(('"Odd Name-x+1"', lit(rnd.choice(NUMBERS))))
    if rnd.randrange(4) == 0:
        fields.append(('"HTTPServer"', lit(rnd.choice(NUMBERS))))
    rnd.shuffle(fields)
    return ("obj", fields)


def member(rec, name):
    for k, v in rec[1]:
        if json.loads(k) == name:
            return v
    return None


def normalize(name):
    """dlt's snake_case, as rest-merge(1) describes it."""
    s = name.strip()
    s = s.translate(str.maketrans("+*-@|", "xx_al"))
    s = re.sub(r"[^A-Za-z0-9_]+", "_", s)
    s = re.sub(r"([^_])([A-Z][a-z]+)", r"\1_\2", s)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()
    if s[:1].isdigit():
        s = "_" + s
    stripped = s.rstrip("_")
    s = stripped + "x" * (len(s) - len(stripped))
    return re.sub(r"__+", "_", s)


def cell(v):
    """A scalar's or array's cell text; None for null."""
    kind, body = v
    if kind == "arr":
        return text(v)
    if body == "null":
        return None
    if body.startswith('"'):
        return json.loads(body)
    return body


def flatten(v, prefix=""):
    """(column, cell) pairs of a record: objects into parent__child."""
    out = []
    for k, e in v[1]:
        name = prefix + normalize(json.loads(k))
        if e[0] == "obj":
            out.extend(flatten(e, name + "__"))
        else:
            out.append((name, cell(e)))
    return out


def csv_field(s):
    if s is None:
        return ""
    if s == "" or any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


class Table:
    """The reference: rows in order, by key, as rest-merge(1) merges."""

    def __init__(self, csv):
        self.csv = csv
        self.columns = []
        self.rows = []          # [key, record]
        self.index = {}

    def key(self, rec):
        v = member(rec, "id")
        return cell(v) if self.csv else text(v)

    def merge(self, records):
        if self.csv:
            # A column is made by its first value that is not null, in
            # the order of the input, before deduplication.
            for rec in records:
                for name, c in flatten(rec):
                    if c is not None and name not in self.columns:
                        self.columns.append(name)
        last, order = {}, []
        for rec in records:
            k = self.key(rec)
            if k not in last:
                order.append(k)
            last[k] = rec
        for k in order:
            if k in self.index:
                self.rows[self.index[k]][1] = last[k]
            else:
                self.index[k] = len(self.rows)
                self.rows.append([k, last[k]])

    def render(self):
        if not self.csv:
            return "".join(text(rec) + "\n" for _, rec in self.rows)
        lines = [",".join(csv_field(c) for c in self.columns)]
        for _, rec in self.rows:
            cells = dict(flatten(rec))
            lines.append(",".join(csv_field(cells.get(c))
                                  for c in self.columns))
        return "".join(line + "\r\n" for line in lines)


def merge_case(seed, n, out):
    rnd = random.Random(seed)
    nkeys = max(2, n // 3)
    inputs = [[record(rnd, nkeys) for _ in range(n)] for _ in range(2)]
    # Whatever the seed, a cell that is a comma alone, in a new row.
    inputs[1].append(("obj", [('"id"', lit(str(nkeys))),
                              ('"name"', lit('","'))]))
    tables = {"jsonl": Table(False), "csv": Table(True)}
    for i, records in enumerate(inputs, 1):
        with open(os.path.join(out, "in%d.jsonl" % i), "w",
                  encoding="utf-8", newline="") as f:
            for rec in records:
                f.write(text(rec, rnd) + "\n")
        for fmt, table in tables.items():
            table.merge(records)
            with open(os.path.join(out, "want%d.%s" % (i, fmt)), "w",
                      encoding="utf-8", newline="") as f:
                f.write(table.render())


# --------------------------------------------------------------- select

PLAIN_KEYS = ["data", "items", "a", "b", "id", "x-y", "_0"]
ODD_KEYS = ["odd.key", "x y", "it's", 'q"uote', "caf\u00e9", "", "back\\slash"]
PLAIN_STRINGS = ["", "cat", "a b", 'q"uote', "back\\slash", "line\nbreak",
                 "tab\tx", "caf\u00e9", "\U0001F600", "<&>", "/slash"]
PLAIN_NUMBERS = ["0", "1", "-7", "42", "0.5", "-2.25", "1000", "3.125"]
# What jq prints otherwise: it unescapes, drops "\/", reads 1.0 as 1.
ESCAPED_STRINGS = ['"\\u00e9t\\u00E9"', '"\\/path\\/x"', '"\\ud83d\\ude00"',
                   '"\\u0000\\u001f"', '"\\b\\f\\r"']
ESCAPED_NUMBERS = ["1.0", "1e2", "-0.0", "2.50", "1E+1", "0.1"]


def key_text(rnd, name, escapes):
    if escapes and name and rnd.randrange(3) == 0:
        return '"' + "".join("\\u%04x" % ord(c) if ord(c) < 0x10000
                             else c for c in name) + '"'
    return jstr(name)


def gen_value(rnd, depth, escapes):
    r = rnd.randrange(10)
    if depth >= 4 or r < 4:
        if escapes and rnd.randrange(3) == 0:
            return lit(rnd.choice(ESCAPED_STRINGS + ESCAPED_NUMBERS))
        return lit(rnd.choice(
            [jstr(s) for s in PLAIN_STRINGS] + PLAIN_NUMBERS +
            ["true", "false", "null"]))
    if r < 7:
        return ("arr", [gen_value(rnd, depth + 1, escapes)
                        for _ in range(rnd.randrange(5))])
    names = rnd.sample(PLAIN_KEYS + ODD_KEYS, rnd.randrange(1, 6))
    members = [(key_text(rnd, k, escapes), gen_value(rnd, depth + 1, escapes))
               for k in names]
    if escapes and members and rnd.randrange(4) == 0:
        # A repeated key: the last one counts, for jq and rest-select.
        k, _ = rnd.choice(members)
        members.append((k, gen_value(rnd, depth + 1, escapes)))
    return ("obj", members)


def gen_doc(rnd, escapes):
    """A page: an object with a few top-level keys, "data" most often."""
    names = ["data"] + rnd.sample(PLAIN_KEYS[1:] + ODD_KEYS, 3)
    members = [(key_text(rnd, k, escapes), gen_value(rnd, 1, escapes))
               for k in names if k == "data" or rnd.randrange(2)]
    if rnd.randrange(2):
        records = [gen_value(rnd, 2, escapes) for _ in range(rnd.randrange(6))]
        members[0] = (members[0][0], ("arr", records))
    rnd.shuffle(members)
    return ("obj", members)


def resolve(v, path):
    """(found, value) for a path of keys and indexes; the last key wins."""
    for step in path:
        kind, body = v
        if isinstance(step, str):
            if kind != "obj":
                return False, None
            hits = [e for k, e in body if json.loads(k) == step]
            if not hits:
                return False, None
            v = hits[-1]
        else:
            if kind != "arr" or not -len(body) <= step < len(body):
                return False, None
            v = body[step]
    return True, v


def walk(rnd, v):
    """A random path down from v, of existing steps, maybe one made up."""
    path = []
    while not path or rnd.randrange(4):
        kind, body = v
        if kind == "obj" and body:
            k, e = rnd.choice(body)
            path.append(json.loads(k))
            v = e
        elif kind == "arr" and body:
            i = rnd.randrange(len(body))
            path.append(i - len(body) if rnd.randrange(2) else i)
            v = body[path[-1]]
        else:
            break
    if rnd.randrange(5) == 0:
        path.append(rnd.choice(PLAIN_KEYS + ODD_KEYS + [0, -1, 3]))
    return path


BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def selector(rnd, path):
    """path as a data_selector, in one of its spellings."""
    out = "$" if not path or rnd.randrange(2) else ""
    for step in path:
        if isinstance(step, int):
            out += "[%d]" % step
        elif BARE.match(step) and rnd.randrange(3):
            out += ("." if out else "") + step
        elif rnd.randrange(2):
            out += "['" + step.replace("\\", "\\\\").replace("'", "\\'") + "']"
        else:
            out += '["' + step.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    if out == "":
        out = "$"
    if rnd.randrange(4) == 0:
        out += rnd.choice(["[*]", ".*"])
    return out


def stream(rnd, docs):
    out = []
    for d in docs:
        form = rnd.randrange(4)
        if form == 0:
            out.append(pretty(d) + "\n")
        elif form == 1:
            out.append(text(d, rnd))     # concatenated: no separator
        else:
            out.append(text(d, rnd) + "\n")
    return "".join(out)


def select_case(seed, out, escapes):
    rnd = random.Random(seed)
    docs = [gen_doc(rnd, escapes) for _ in range(rnd.randrange(2, 7))]
    with open(os.path.join(out, "stream"), "w", encoding="utf-8",
              newline="") as f:
        f.write(stream(rnd, docs))
    paths = [[], ["data"]] + [walk(rnd, rnd.choice(docs)) for _ in range(10)]
    with open(os.path.join(out, "paths"), "w", encoding="utf-8") as f:
        for p in paths:
            every = all(resolve(d, p)[0] for d in docs)
            f.write("%s\t%s\t%d\n" % (selector(rnd, p),
                                      json.dumps(p, ensure_ascii=False),
                                      every))
    with open(os.path.join(out, "paths.json"), "w", encoding="utf-8") as f:
        json.dump(paths, f, ensure_ascii=False)


def main(argv):
    if len(argv) == 5 and argv[1] == "merge":
        merge_case(int(argv[2]), int(argv[3]), argv[4])
    elif len(argv) in (4, 5) and argv[1] == "select":
        select_case(int(argv[2]), argv[3], argv[4:] == ["--escapes"])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
