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

@test "make install puts programs and man pages under DESTDIR/PREFIX" {
	run make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/opt/rp
	assert_success
	run bash -c "cd '$DEST' && find . -type f -printf '%m %p\n' | sort -k2"
	assert_output "755 ./opt/rp/bin/rest-fetch
755 ./opt/rp/bin/rest-merge
755 ./opt/rp/bin/rest-paginate
755 ./opt/rp/bin/rest-select
644 ./opt/rp/share/man/man1/rest-fetch.1
644 ./opt/rp/share/man/man1/rest-merge.1
644 ./opt/rp/share/man/man1/rest-paginate.1
644 ./opt/rp/share/man/man1/rest-select.1
644 ./opt/rp/share/man/man7/restpipe.7"
	run "$DEST/opt/rp/bin/rest-fetch" --version
	assert_success
	assert_output --regexp '^rest-fetch [0-9.]+$'
}

@test "make uninstall removes what install put there" {
	make -s -C "$TOP" install DESTDIR="$DEST" PREFIX=/opt/rp
	run make -s -C "$TOP" uninstall DESTDIR="$DEST" PREFIX=/opt/rp
	assert_success
	run find "$DEST" -type f
	assert_output ''
}

@test "only rest-fetch and rest-paginate link libcurl" {
	run make -s -C "$TOP" all
	assert_success
	for prog in select merge; do
		run ldd "$TOP/bin/rest-$prog"
		assert_success
		refute_output --partial libcurl
		run bash -c "nm -u '$TOP/bin/rest-$prog' | grep curl_"
		assert_failure 1
		assert_output ''
	done
	for prog in fetch paginate; do
		run ldd "$TOP/bin/rest-$prog"
		assert_success
		assert_output --partial libcurl
	done
}
