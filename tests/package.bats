#!/usr/bin/env bats
# The Debian package: dpkg-buildpackage builds it from a clean tree of
# what is committed (git archive HEAD), it installs the programs, the man
# pages, the completions and the examples where Debian wants them, each
# program runs from a dpkg -x root, and lintian finds no error in it.

bats_require_minimum_version 1.5.0

# Build once for the file.  Why it cannot be built, if so, is kept for
# setup() to skip with.
setup_file() {
	local top=$BATS_TEST_DIRNAME/.. version arch src dir=$BATS_FILE_TMPDIR
	version=$(sed -nE 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$top/Makefile")
	arch=$(dpkg --print-architecture 2>/dev/null)
	export VERSION=$version ARCH=$arch
	export DEB=$dir/restpipe_${version}_$arch.deb ROOT=$dir/root
	if ! command -v dpkg-buildpackage >/dev/null; then
		echo "dpkg-buildpackage is missing (apt-get install dpkg-dev)" >"$dir/skip"
		return
	fi
	if ! command -v dh >/dev/null; then
		echo "debhelper is missing (apt-get install debhelper)" >"$dir/skip"
		return
	fi
	if ! git -C "$top" rev-parse --verify -q HEAD >/dev/null; then
		echo "not a git checkout: the package is built from HEAD" >"$dir/skip"
		return
	fi
	src=$dir/restpipe-$version
	git -C "$top" archive --prefix="restpipe-$version/" HEAD |
	    tar -x -C "$dir"
	# Nothing of make check's make may leak into the package's build
	# (SANITIZE=1 among others).
	(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE \
	    -u CFLAGS -u LDFLAGS -u CPPFLAGS \
	    DEB_BUILD_OPTIONS="parallel=$(nproc)" \
	    timeout 600 dpkg-buildpackage -us -uc -b) >"$dir/build.log" 2>&1
	echo $? >"$dir/build.status"
	if [ -f "$DEB" ]; then
		dpkg -x "$DEB" "$ROOT"
	fi
}

setup() {
	export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
	bats_load_library bats-support
	bats_load_library bats-assert
	if [ -f "$BATS_FILE_TMPDIR/skip" ]; then
		skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	fi
	PROGS=(rest-fetch rest-merge rest-paginate rest-select rest-shard-range
	    rest-sync)
}

@test "package: dpkg-buildpackage -us -uc -b builds restpipe_VERSION_ARCH.deb" {
	if [ "$(cat "$BATS_FILE_TMPDIR/build.status")" != 0 ]; then
		tail -n 30 "$BATS_FILE_TMPDIR/build.log"
		false
	fi
	[ -f "$DEB" ]
	run -0 dpkg-deb -f "$DEB" Package Version Architecture
	assert_output "Package: restpipe
Version: $VERSION
Architecture: $ARCH"
	# The package's version is the Makefile's.
	run -0 dpkg-parsechangelog -l "$BATS_TEST_DIRNAME/../debian/changelog" -S Version
	assert_output "$VERSION"
	# Its dependencies are the shared libraries the programs link.
	run -0 dpkg-deb -f "$DEB" Depends
	assert_output --regexp '^libc6 \(>= [0-9.]+\), libcurl4 \(>= [0-9.]+\)$'
	# The C unit tests ran in the build, and the build warned of nothing.
	run -0 grep -E '^unit: [0-9]+ checks, 0 failures$' "$BATS_FILE_TMPDIR/build.log"
	run grep -E 'warning:' "$BATS_FILE_TMPDIR/build.log"
	assert_output ''
}

@test "package: programs in /usr/bin, man pages, completions, examples" {
	[ -f "$DEB" ]
	run -0 bash -c "dpkg-deb -c '$DEB' | awk '\$1 !~ /^d/ {
	    print \$6 (NF > 6 ? \" \" \$7 \" \" \$8 : \"\") }' | sort"
	assert_output "./usr/bin/rest-fetch
./usr/bin/rest-merge
./usr/bin/rest-paginate
./usr/bin/rest-select
./usr/bin/rest-shard-range
./usr/bin/rest-sync
./usr/share/bash-completion/completions/rest-fetch -> restpipe
./usr/share/bash-completion/completions/rest-merge -> restpipe
./usr/share/bash-completion/completions/rest-paginate -> restpipe
./usr/share/bash-completion/completions/rest-select -> restpipe
./usr/share/bash-completion/completions/rest-shard-range -> restpipe
./usr/share/bash-completion/completions/rest-sync -> restpipe
./usr/share/bash-completion/completions/restpipe
./usr/share/doc/restpipe/DEVIATIONS.md.gz
./usr/share/doc/restpipe/README.md.gz
./usr/share/doc/restpipe/changelog.gz
./usr/share/doc/restpipe/copyright
./usr/share/doc/restpipe/examples/Makefile
./usr/share/doc/restpipe/examples/github.json
./usr/share/doc/restpipe/examples/k8s-indexed-job.yaml
./usr/share/doc/restpipe/examples/pokeapi.json
./usr/share/man/man1/rest-fetch.1.gz
./usr/share/man/man1/rest-merge.1.gz
./usr/share/man/man1/rest-paginate.1.gz
./usr/share/man/man1/rest-select.1.gz
./usr/share/man/man1/rest-shard-range.1.gz
./usr/share/man/man1/rest-sync.1.gz
./usr/share/man/man7/restpipe.7.gz
./usr/share/zsh/vendor-completions/_restpipe"
	# Every program has its page, and the examples are the repository's.
	for prog in "${PROGS[@]}"; do
		[ -f "$ROOT/usr/share/man/man1/$prog.1.gz" ]
	done
	run -0 diff -r "$BATS_TEST_DIRNAME/../examples" \
	    "$ROOT/usr/share/doc/restpipe/examples"
}

@test "package: each program installed by dpkg -x runs and says its version" {
	local prog
	[ -d "$ROOT/usr/bin" ]
	run -0 ls "$ROOT/usr/bin"
	assert_output "$(printf '%s\n' "${PROGS[@]}")"
	for prog in "${PROGS[@]}"; do
		run -0 "$ROOT/usr/bin/$prog" --version
		assert_output "$prog $VERSION"
	done
	# The man pages are whole, and the packaged completion completes the
	# packaged programs.
	run -0 bash -c "zcat '$ROOT/usr/share/man/man1/rest-shard-range.1.gz' |
	    mandoc -Tlint -Wwarning"
	assert_output ''
	run -0 env PATH="$ROOT/usr/bin:$PATH" bash -c "
		source '$ROOT/usr/share/bash-completion/completions/rest-merge'
		COMP_WORDS=(rest-merge -w r) COMP_CWORD=2
		_restpipe
		echo \"\${COMPREPLY[*]}\""
	assert_output 'replace'
}

@test "package: lintian finds no error" {
	command -v lintian >/dev/null || skip "lintian is missing (apt-get install lintian)"
	[ -f "$DEB" ]
	run timeout 300 lintian --fail-on error "$DEB" \
	    "${DEB%.deb}.buildinfo" "${DEB%.deb}.changes"
	assert_success
	refute_output --regexp '^E: '
}
