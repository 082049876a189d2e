#!/bin/sh
# make lint: the rules of the code's shape that a compiler does not check.
#
# The floors of lib/ (lib/README): a file includes only from its own
# floor or those below, base <- json <- net <- dlt <- the programs.
set -u
cd "$(dirname "$0")/.."

status=0
fail() {
	echo "lint: $*" >&2
	status=1
}

rank() {
	case $1 in
	base) echo 0 ;;
	json) echo 1 ;;
	net) echo 2 ;;
	dlt) echo 3 ;;
	*) echo 4 ;;
	esac
}

# Upward includes.  A file's floor is its folder under lib/; any other
# file (a program, a test) is above them all.
for f in $(find lib fetch paginate select merge sync tests -name '*.[ch]' | sort); do
	case $f in
	lib/*/*) floor=${f#lib/}; floor=${floor%%/*} ;;
	*) floor=program ;;
	esac
	mine=$(rank "$floor")
	grep -n '^#[[:space:]]*include[[:space:]]*"' "$f" |
	    sed 's/^\([0-9]*\):#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1 \2/' |
	while read -r line inc; do
		case $inc in
		*/*) to=${inc%%/*} ;;
		*)
			# A header of the file's own folder, or a program's
			# own (found by -I): lib includes only lib's.
			[ -f "$(dirname "$f")/$inc" ] && continue
			[ "$floor" = program ] && continue
			echo "lint: $f:$line: \"$inc\" is in no floor:" \
			    "include lib's headers as \"floor/name.h\"" >&2
			echo x
			continue ;;
		esac
		if [ "$(rank "$to")" -gt "$mine" ]; then
			echo "lint: $f:$line: includes $inc, a floor above" \
			    "$floor: includes point down (lib/README)" >&2
			echo x
		fi
	done | grep -q x && status=1
done

# Sizes: a function at most 80 lines, from its name to its closing brace;
# main at most 60; a file of lib at most 800.  tests/lint.allow lists what
# is let through, each with its reason.
allowed() {
	grep -qxF "$1" tests/lint.allow 2>/dev/null
}
for f in $(find lib fetch paginate select merge sync -name '*.c' | sort); do
	awk -v f="$f" '
	/^[A-Za-z_][A-Za-z0-9_]*\(/ {
		name = $0; sub(/\(.*/, "", name); start = FNR
	}
	/^\{/ { body = name != "" }
	/^\}/ && body {
		n = FNR - start + 1
		max = name == "main" ? 60 : 80
		if (n > max)
			printf "%s %s:%d: %s() is %d lines; at most %d\n",
			    f ":" name, f, start, name, n, max
		body = 0; name = ""
	}' "$f"
done | while read -r key msg; do
	allowed "$key" || echo "lint: $msg: split it"
done | grep . >&2 && status=1
for f in $(find lib -name '*.c' | sort); do
	n=$(wc -l <"$f")
	if [ "$n" -gt 800 ] && ! allowed "$f"; then
		echo "lint: $f is $n lines; at most 800: split it by concern" >&2
		status=1
	fi
done

# No mutable state at file scope in lib: a definition there that is not
# const and not a function.  A signal handler's state is let through
# (tests/lint.allow), since a handler takes no argument.
for f in $(find lib -name '*.c' | sort); do
	awk -f tests/lint-state.awk "$f"
done | while read -r key msg; do
	allowed "$key" || echo "lint: $msg"
done | grep . >&2 && status=1

exit $status
