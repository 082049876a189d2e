#!/usr/bin/env bats
# The zsh completion (completions/_restpipe), outside make check because
# zsh is not among the project's test dependencies yet: run it with
#   PATH=$PWD/bin:$PATH bats tests/zsh
# It checks the file's syntax, and, with _arguments and compadd replaced by
# functions that print what they are given, that the specs it builds from
# each program's --help name every long option, the names an option
# accepts (as the program's refusal of a bad value lists them), and the
# resources of the -c file for -r.

bats_require_minimum_version 1.5.0

setup() {
	export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
	bats_load_library bats-support
	bats_load_library bats-assert
	load ../manpage
	command -v zsh >/dev/null || skip "zsh is missing (apt-get install zsh)"
	TOP=$BATS_TEST_DIRNAME/../..
	ZCOMP=$TOP/completions/_restpipe
	CONFIG=$TOP/tests/fixtures/config-catalog.json
	PROGS=(rest-fetch rest-paginate rest-select rest-merge rest-sync
	    rest-shard-range)
}

# specs PROG: the specs the completion hands _arguments for PROG.
specs() {
	zsh -fc '_arguments() { print -rl -- "$@" }; words=($1); source $2' \
	    specs "$1" "$ZCOMP"
}

@test "zsh: the completion's syntax, and the programs it is for" {
	run -0 zsh -n "$ZCOMP"
	run -0 sed -n 1p "$ZCOMP"
	assert_output "#compdef ${PROGS[*]}"
}

@test "zsh: a spec for every long and short option of each --help" {
	local prog
	for prog in "${PROGS[@]}"; do
		run -0 bash -c "$(declare -f specs); ZCOMP='$ZCOMP'; specs $prog |
		    sed -nE 's/^(\([^)]*\))?\*?(-[A-Za-z]|--[a-z][a-z0-9-]*)[=+]?\[.*/\2/p' |
		    sort -u"
		assert_output "$( (help_options "$prog" long
		    help_options "$prog" short) | sort -u)"
	done
}

@test "zsh: enumerated values, files, directories" {
	run -0 specs rest-fetch
	assert_line "(--auth)--auth=[api_key, bearer, http_basic or oauth2_client_credentials]:type:(api_key bearer http_basic oauth2_client_credentials)"
	assert_line "(--key-location)--key-location=[api_key in header, query or cookie (header)]:where:(header query cookie)"
	assert_line "(-c --config)-c+[read a dlt REST API source configuration]:file:_files"
	assert_line "(-r --resource)-r+[the resource to read from it]:name:{_restpipe_resources}"
	run -0 specs rest-merge
	assert_line "(-w --write-disposition)-w+[merge (default), append or replace]:wd:(merge append replace)"
	assert_line "(-f --format)-f+[jsonl, csv or tsv (FILE's extension)]:format:(jsonl csv tsv)"
	assert_line '*:file:_files'
	run -0 specs rest-sync
	assert_line "(--format)--format=[tables as jsonl (default), csv or tsv]:format:(jsonl csv tsv)"
	assert_line "(-C --directory)-C+[the tables go into DIR (.)]:dir:_files -/"
	assert_line --partial '*-r+[sync this resource'
	run -0 specs rest-fetch
	refute_line '*:file:_files'
}

@test "zsh: -r offers the resources of the -c file" {
	run -0 zsh -fc '_arguments() { : }; words=(rest-sync); source $1
		typeset -A opt_args
		compadd() { print -rl -- "$@" }
		opt_args=(-c $2)
		_restpipe_resources
		opt_args=(--config $2)
		_restpipe_resources' zsh "$ZCOMP" "$CONFIG"
	assert_output -- "--
image_analysis
echo
--
image_analysis
echo"
	run -1 zsh -fc '_arguments() { : }; words=(rest-sync); source $1
		typeset -A opt_args
		compadd() { print -rl -- "$@" }
		_restpipe_resources' zsh "$ZCOMP"
	assert_output ''
}

# zcomplete LINE: the matches zsh's own completion system offers at the end
# of LINE, typed into an interactive zsh in a pseudo-terminal, sorted.
zcomplete() {
	local dir=$BATS_TEST_TMPDIR/zsh
	mkdir -p "$dir/fpath"
	cp "$ZCOMP" "$dir/fpath"
	rm -f "$dir/hits"
	timeout 20 zsh -fc '
		zmodload zsh/zpty
		zpty z zsh -f -i
		zpty -w z "PROMPT= RPROMPT=; fpath=($1/fpath \$fpath)"
		zpty -w z "autoload -Uz compinit; compinit -u -D"
		zpty -w z "compadd() { local -a h; builtin compadd -O h \"\$@\"
			print -rl -- \$h >>! $1/hits; builtin compadd \"\$@\"; }"
		zpty -w z "$2"$'"'"'\t'"'"'
		for ((i = 0; i < 50; i++)); do
			[[ -s $1/hits ]] && break
			sleep 0.1
		done
		sleep 0.3
		zpty -d z' zcomplete "$dir" "$1"
	sort -u "$dir/hits" 2>/dev/null | sed "/^$/d"
	return 0
}

@test "zsh: compinit loads it, and it completes as a user types" {
	mkdir -p "$BATS_TEST_TMPDIR/zsh/dirs/one" "$BATS_TEST_TMPDIR/zsh/dirs/two"
	run -0 zcomplete 'rest-fetch --auth '
	assert_output 'api_key
bearer
http_basic
oauth2_client_credentials'
	run -0 zcomplete 'rest-merge -w '
	assert_output 'append
merge
replace'
	run -0 zcomplete 'rest-sync --for'
	assert_output -- '--format'
	run -0 zcomplete "rest-sync -c $CONFIG -r "
	assert_output 'echo
image_analysis'
	# _files also adds the path's leading directories as it goes.
	run -0 zcomplete "rest-sync -C $BATS_TEST_TMPDIR/zsh/dirs/"
	assert_line one
	assert_line two
	touch "$BATS_TEST_TMPDIR/zsh/dirs/file"
	run -0 zcomplete "rest-sync -C $BATS_TEST_TMPDIR/zsh/dirs/"
	refute_line file
}
