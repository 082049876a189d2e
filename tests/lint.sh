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

exit $status
