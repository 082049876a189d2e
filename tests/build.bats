#!/usr/bin/env bats
# The Makefile's install and uninstall honour PREFIX and DESTDIR, and
# only the programs that make requests link libcurl.

bats_require_minimum_version 1.5.0

setup() {
	export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
	bats_load_library bats-support
	bats_load_library bats-assert
	TOP=$BATS_TEST_DIRNAME/..
	DEST=$BATS_TEST_TMPDIR/dest
}

@test "make without libcurl's headers says to run make deps, before any compiler error" {
	local cc=$BATS_TEST_TMPDIR/cc
	# A compiler that has every header but curl's.
	printf '%s\n' '#!/bin/sh' \
		'case "$*" in *-E*) grep -q curl/curl.h && exit 1 ;; esac' \
		'exec cc "$@"' >"$cc"
	chmod +x "$cc"
	run --separate-stderr make -s -C "$TOP" all CC="$cc"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "make: <curl/curl.h> is missing: run 'make deps' (apt-get install libcurl4-openssl-dev libjsmn-dev)"
	run --separate-stderr make -s -C "$TOP" headers
	assert_success
	assert_equal "$stderr" ''
}

@test "make deps waits for another apt's lock, saying so, up to 5 minutes" {
	local bin=$BATS_TEST_TMPDIR/bin p
	mkdir "$bin"
	# Every tool deps.sh looks for but jq, which it then installs.
	for p in pkg-config cc make bats mandoc curl strace openssl parallel \
		nginx uname id; do
		! command -v "$p" >/dev/null || ln -s "$(command -v "$p")" "$bin/$p"
	done
	# Debian's, with its yaml module, as CI installs it.
	ln -s /usr/bin/python3 "$bin/python3"
	printf '#!/bin/sh\necho "apt-get $*" >>"%s/apt.log"\n' "$BATS_TEST_TMPDIR" >"$bin/apt-get"
	printf '#!/bin/sh\nexit 0\n' >"$bin/fuser"	# the lock is held
	chmod +x "$bin/apt-get" "$bin/fuser"
	run --separate-stderr env PATH="$bin" /bin/sh "$TOP/tests/deps.sh"
	assert_success
	assert_equal "$stderr" "deps: installing jq
deps: another apt holds /var/lib/dpkg/lock-frontend; waiting up to 5 minutes"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/apt.log")" "apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq jq"
}

@test "make install puts programs, man pages and completions under DESTDIR/PREFIX" {
	run make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/opt/rp
	assert_success
	run bash -c "cd '$DEST' && find . -type f -printf '%m %p\n' | sort -k2"
	assert_output "755 ./opt/rp/bin/rest-fetch
755 ./opt/rp/bin/rest-merge
755 ./opt/rp/bin/rest-paginate
755 ./opt/rp/bin/rest-select
755 ./opt/rp/bin/rest-shard-range
755 ./opt/rp/bin/rest-sync
644 ./opt/rp/share/bash-completion/completions/restpipe
644 ./opt/rp/share/man/man1/rest-fetch.1
644 ./opt/rp/share/man/man1/rest-merge.1
644 ./opt/rp/share/man/man1/rest-paginate.1
644 ./opt/rp/share/man/man1/rest-select.1
644 ./opt/rp/share/man/man1/rest-shard-range.1
644 ./opt/rp/share/man/man1/rest-sync.1
644 ./opt/rp/share/man/man7/restpipe.7
644 ./opt/rp/share/zsh/site-functions/_restpipe"
	# bash-completion finds the completion under each program's name.
	run bash -c "cd '$DEST' && find . -type l -printf '%p -> %l\n' | sort"
	assert_output "./opt/rp/share/bash-completion/completions/rest-fetch -> restpipe
./opt/rp/share/bash-completion/completions/rest-merge -> restpipe
./opt/rp/share/bash-completion/completions/rest-paginate -> restpipe
./opt/rp/share/bash-completion/completions/rest-select -> restpipe
./opt/rp/share/bash-completion/completions/rest-shard-range -> restpipe
./opt/rp/share/bash-completion/completions/rest-sync -> restpipe"
	run "$DEST/opt/rp/bin/rest-fetch" --version
	assert_success
	assert_output --regexp '^rest-fetch [0-9.]+$'
	run "$DEST/opt/rp/bin/rest-shard-range" --version
	assert_success
	assert_output --regexp '^rest-shard-range [0-9.]+$'
}

@test "make uninstall removes what install put there" {
	make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/opt/rp
	run make -s -C "$TOP" uninstall DESTDIR="$DEST" PREFIX=/opt/rp
	assert_success
	run find "$DEST" ! -type d
	assert_output ''
}

# links BIN: whether the program at BIN needs libcurl, as ldd and nm say.
links_curl() {
	local lib sym
	lib=$(ldd "$1" | grep -c libcurl)
	sym=$(nm -u "$1" | grep -c curl_)
	echo "$lib $sym"
}

@test "only rest-fetch and rest-paginate link libcurl" {
	local prog src=$BATS_TEST_TMPDIR/src
	# The plain build, even inside make SANITIZE=1 check.
	run make -s -C "$TOP" SANITIZE= all
	assert_success
	# Also where the linker keeps every library named, as without
	# --as-needed (gcc's default under SANITIZE=1 and on many systems).
	mkdir "$src"
	cp "$TOP/Makefile" "$src"
	cp -r "$TOP/shard" "$TOP/lib" "$src"
	for d in "$TOP"/*/; do
		if compgen -G "$d*.c" >/dev/null; then
			cp -r "$d" "$src"
		fi
	done
	run make -s -C "$src" SANITIZE= LDFLAGS=-Wl,--no-as-needed all
	assert_success
	for dir in "$TOP" "$src"; do
		for prog in select merge; do
			run links_curl "$dir/bin/rest-$prog"
			assert_output '0 0'
		done
		for prog in fetch paginate; do
			run links_curl "$dir/bin/rest-$prog"
			assert_output --regexp '^1 [1-9][0-9]*$'
		done
	done
}

@test "every mutant of tests/mutants/list applies to exactly one place" {
	# Inside make mutants, one of them is applied: the list cannot apply.
	[[ -z ${RESTPIPE_MUTANT-} ]] || skip "a mutant's tree"
	run python3 "$BATS_TEST_DIRNAME/mutants.py" --check
	assert_success
	assert_output --regexp '^mutants: ([0-9]+) of \1 apply$'
}
