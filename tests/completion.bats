#!/usr/bin/env bats
# The bash completion (completions/restpipe.bash) driven as bash drives
# it: COMP_WORDS and COMP_CWORD set, _restpipe called, COMPREPLY read.
# What it offers is checked against the built programs themselves: their
# --help for the options, the names they accept (as their refusal of a
# bad value lists them) for the values, the resources they list for -r.

bats_require_minimum_version 1.5.0

setup() {
	export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
	bats_load_library bats-support
	bats_load_library bats-assert
	load manpage
	TOP=$BATS_TEST_DIRNAME/..
	COMPLETION=$TOP/completions/restpipe.bash
	CONFIG=$BATS_TEST_DIRNAME/fixtures/config-catalog.json
	PROGS=(rest-fetch rest-paginate rest-select rest-merge rest-sync
	    rest-shard-range)
	cd "$BATS_TEST_TMPDIR"
}

# complete_at CWORD WORD...: what the completion offers for word CWORD of
# the command line WORD..., one a line, sorted.
complete_at() {
	local cword=$1
	shift
	bash -c 'source "$1"; shift
		COMP_CWORD=$1; shift
		COMP_WORDS=("$@")
		COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_restpipe "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		(( ${#COMPREPLY[@]} )) && printf "%s\n" "${COMPREPLY[@]}" | sort
		exit 0' completion "$COMPLETION" "$cword" "$@"
}

# complete_last WORD...: complete_at for the last word.
complete_last() {
	complete_at $(($# - 1)) "$@"
}

@test "completion: the programs it is registered for are those make installs" {
	local names
	run -0 bash -c "source '$COMPLETION'; complete -p"
	names=$(sed -nE 's/^complete -F _restpipe (.*)/\1/p' <<<"$output" |
	    tr ' ' '\n' | sort)
	assert_equal "$names" "$(printf '%s\n' "${PROGS[@]}" | sort)"
	run -0 make -s -C "$TOP" install DESTDIR="$BATS_TEST_TMPDIR/d" \
	    PREFIX=/usr SANITIZE=
	run -0 ls "$BATS_TEST_TMPDIR/d/usr/bin"
	assert_output "$(printf '%s\n' "${PROGS[@]}" | sort)"
}

@test "completion: -- offers every long option of each program's --help" {
	local prog
	for prog in "${PROGS[@]}"; do
		run -0 complete_last "$prog" --
		assert_output "$(help_options "$prog" long)"
		[ "${#lines[@]}" -ge 2 ]
	done
}

@test "completion: a lone - offers the short and the long options" {
	local prog
	for prog in "${PROGS[@]}"; do
		run -0 complete_last "$prog" -
		assert_output "$( (help_options "$prog" long
		    help_options "$prog" short) | sort)"
	done
	run -0 complete_last rest-merge -
	assert_line -k
	assert_line --primary-key
}

@test "completion: a prefix offers the options it starts" {
	run -0 complete_last rest-paginate --max-
	assert_output '--max-offset
--max-page
--max-retry-delay
--max-size'
	run -0 complete_last rest-sync -c api.json --pru
	assert_output '--prune'
	run -0 complete_last rest-select --nothing-starts-so
	assert_output ''
}

# refused_names PROG OPTION: the names PROG accepts for OPTION, one a line,
# as its refusal of a bad value lists them ("... is not a, b or c"), or
# nothing when that refusal lists none.
refused_names() {
	local prog=$1 opt=$2 msg list
	local -a operands
	case $prog in
	rest-fetch | rest-paginate) operands=(--dry-run http://127.0.0.1:9/) ;;
	rest-select) operands=(data) ;;
	rest-merge) operands=(-n table.jsonl) ;;
	rest-sync) operands=(--dry-run -c "$CONFIG" -C out) ;;
	esac
	msg=$(timeout 10 "$prog" "$opt" 'bo gus' "${operands[@]}" 2>&1 \
	    >/dev/null </dev/null | head -n 1)
	[[ $msg =~ :\ \'bo\ gus\'\ is\ not\ (([a-z0-9_]+,\ )*[a-z0-9_]+\ or\ [a-z0-9_]+)$ ]] ||
	    return 0
	list=${BASH_REMATCH[1]}
	list=${list// or /, }
	printf '%s\n' ${list//,/} | sort
}

@test "completion: an option's values are exactly the names the program accepts" {
	local prog opt arg n=0
	for prog in "${PROGS[@]}"; do
		while read -r opt arg; do
			case $arg in
			FILE | CONFIG | DIR | VAR | BODY) continue ;;
			esac
			[[ $opt == --resource ]] && continue
			run -0 refused_names "$prog" "$opt"
			local want=$output
			[ -z "$want" ] || n=$((n + 1))
			run -0 complete_last "$prog" "$opt" ''
			assert_equal "$prog $opt: $output" "$prog $opt: $want"
		done < <("$prog" --help | sed -nE \
		    "s/^ +(-[A-Za-z], )?(--[a-z][a-z0-9-]*) ('[^']*'|[A-Z][^ ]*).*/\2 \3/p")
	done
	# --auth and --key-location of rest-fetch and rest-paginate, -w and
	# -f of rest-merge, --format of rest-sync at least.
	[ "$n" -ge 7 ]
}

@test "completion: the enumerated values of --auth, --key-location, -w and --format" {
	run -0 complete_last rest-fetch --auth ''
	assert_output 'api_key
bearer
http_basic
oauth2_client_credentials'
	run -0 complete_last rest-paginate --auth b
	assert_output 'bearer'
	run -0 complete_last rest-paginate --key-location ''
	assert_output 'cookie
header
query'
	run -0 complete_last rest-merge -w ''
	assert_output 'append
merge
replace'
	run -0 complete_last rest-merge --write-disposition re
	assert_output 'replace'
	run -0 complete_last rest-merge -f ''
	assert_output 'csv
jsonl
tsv'
	run -0 complete_last rest-sync --format t
	assert_output 'tsv'
	run -0 complete_last rest-fetch --auth nothing
	assert_output ''
}

@test "completion: --option=value, with = a word of its own or not" {
	run -0 complete_last rest-fetch --auth = b
	assert_output 'bearer'
	run -0 complete_last rest-fetch --auth =
	assert_output 'api_key
bearer
http_basic
oauth2_client_credentials'
	run -0 complete_last rest-fetch --key-location=q
	assert_output '--key-location=query'
	run -0 complete_last rest-merge -c "$CONFIG" --resource=e
	assert_output '--resource=echo'
}

@test "completion: -r offers the resources of the -c file on the line" {
	local prog
	for prog in rest-fetch rest-paginate rest-select rest-merge rest-sync; do
		run -0 complete_last "$prog" -c "$CONFIG" -r ''
		assert_output 'echo
image_analysis'
		run -0 complete_last "$prog" --config "$CONFIG" --resource i
		assert_output 'image_analysis'
	done
	# The -c after the -r, and in the forms getopt also takes.
	run -0 complete_at 2 rest-sync -r '' -c "$CONFIG"
	assert_output 'echo
image_analysis'
	run -0 complete_at 2 rest-sync -r ec --config="$CONFIG"
	assert_output 'echo'
	run -0 complete_last rest-sync -c"$CONFIG" -r ''
	assert_output 'echo
image_analysis'
	run -0 complete_last rest-sync -c "'$CONFIG'" -r ''
	assert_output 'echo
image_analysis'
	# A file of one resource.
	run -0 complete_last rest-select -c "$BATS_TEST_DIRNAME/fixtures/image_analysis.json" -r ''
	assert_output 'image_analysis'
}

@test "completion: -r offers nothing without a readable -c file, and never a file" {
	touch image_analysis.json
	run -0 complete_last rest-fetch -r ''
	assert_output ''
	run -0 complete_last rest-fetch -c missing.json -r ''
	assert_output ''
	echo '{"resources": [' >broken.json
	run -0 complete_last rest-merge -c broken.json -r ''
	assert_output ''
}

@test "completion: files where a file is expected, directories for a DIR" {
	mkdir -p conf.d/sub out
	touch conf.d/api.json conf.d/other.json table.jsonl key.txt
	run -0 complete_last rest-fetch -c conf.d/
	assert_output 'conf.d/api.json
conf.d/other.json
conf.d/sub'
	run -0 complete_last rest-sync --config conf.d/a
	assert_output 'conf.d/api.json'
	run -0 complete_last rest-paginate --secret-file k
	assert_output 'key.txt'
	run -0 complete_last rest-fetch --cacert=k
	assert_output '--cacert=key.txt'
	run -0 complete_last rest-merge --schema t
	assert_output 'table.jsonl'
	run -0 complete_last rest-sync -C ''
	assert_output 'conf.d
out'
	run -0 complete_last rest-fetch -d @k
	assert_output '@key.txt'
	# The operands: a FILE of rest-merge and rest-select, no file for the
	# URL of rest-fetch.
	run -0 complete_last rest-merge -k id t
	assert_output 'table.jsonl'
	run -0 complete_last rest-select data k
	assert_output 'key.txt'
	run -0 complete_last rest-fetch k
	assert_output ''
	# A value that is not a file is not completed as one.
	run -0 complete_last rest-paginate --limit k
	assert_output ''
}

@test "completion: --secret-env offers the environment's variables" {
	export RESTPIPE_TEST_SECRET_VAR=x
	run -0 complete_last rest-fetch --secret-env RESTPIPE_TEST_SECRET_
	assert_output 'RESTPIPE_TEST_SECRET_VAR'
}

@test "completion: a program that cannot be run offers nothing" {
	run -0 complete_last ./no-such-rest-fetch --
	assert_output ''
	run -0 complete_last ./no-such-rest-fetch --auth ''
	assert_output ''
}

@test "completion: bash-completion loads it by each program's name once installed" {
	local bc=/usr/share/bash-completion/bash_completion prog
	[ -f "$bc" ] || skip "bash-completion is not installed"
	run -0 make -s -C "$TOP" install DESTDIR="$BATS_TEST_TMPDIR/d" \
	    PREFIX=/usr SANITIZE=
	for prog in "${PROGS[@]}"; do
		run -0 env XDG_DATA_DIRS="$BATS_TEST_TMPDIR/d/usr/share" \
		    BASH_COMPLETION_USER_DIR=/nonexistent bash -c "
			source '$bc'
			__load_completion $prog || exit 1
			complete -p $prog"
		assert_output "complete -F _restpipe $prog"
	done
}
