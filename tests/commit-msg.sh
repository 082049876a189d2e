#!/bin/sh
# commit-msg.sh MSGFILE [LINES]: is this commit message of restpipe's
# kind (STYLE.md, HACKING.md)?  LINES is how many lines the commit
# changes; over 10, the message needs a body saying why.
#
#   - a subject of at most 72 characters, in the imperative: "Fix the
#     resume offset", not "Fixed" or "Fixes"; it may start "PATH: ";
#   - no full stop at the end of the subject;
#   - then a blank line, and a body, when the change is more than a few
#     lines.
#
# Run by the commit-msg hook (make hooks) and by tests/commits.sh in CI.
# Says each fault on stderr, prefixed "commit-msg: ", and exits 1.
set -u
msg=$1
lines=${2:-0}

# Git's own comment lines and the diff of commit -v are not the message.
text=$(sed -e '/^# ------------------------ >8 ------------------------$/,$d' \
    -e '/^#/d' "$msg")
subject=$(printf '%s\n' "$text" | sed -n 1p)
second=$(printf '%s\n' "$text" | sed -n 2p)
body=$(printf '%s\n' "$text" | sed '1,2d' | grep -c '[^[:space:]]')

status=0
fault() {
	echo "commit-msg: $*" >&2
	status=1
}

# Fixups and squashes are rewritten before they land.
case $subject in
fixup!* | squash!* | amend!*) exit 0 ;;
esac

[ -n "$subject" ] || fault "the subject is empty"
len=$(printf '%s' "$subject" | wc -m)
[ "$len" -le 72 ] ||
	fault "the subject is $len characters; at most 72"
case $subject in
*.) fault "the subject ends in a full stop" ;;
esac
# The verb: the first word, after a "path: " or "area: " prefix.
verb=$(printf '%s\n' "$subject" | sed 's/^[^ ]*: //' | cut -d' ' -f1)
case $verb in
[Ee]mbed | [Nn]eed | [Ff]eed | [Ss]peed | [Ss]eed | [Ss]hed | \
[Pp]roceed | [Ee]xceed | [Ss]ucceed | [Bb]ring | [Ss]tring) ;;
*ed | *ing)
	fault "the subject's verb \"$verb\" is not in the imperative:" \
	    "say what the commit does (\"Fix\", not \"Fixed\")" ;;
Adds | Fixes | Makes | Removes | Updates | Changes | Uses | Moves | \
Renames | Improves | Implements | Refactors)
	fault "the subject's verb \"$verb\" is not in the imperative:" \
	    "say what the commit does (\"Fix\", not \"Fixes\")" ;;
esac
if [ -n "$second" ]; then
	fault "the second line is not blank: the subject is one line"
fi
if [ "$lines" -gt 10 ] && [ "$body" -eq 0 ]; then
	fault "a change of $lines lines needs a body saying why"
fi
exit $status
