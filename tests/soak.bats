#!/usr/bin/env bats
# The short fault soak (make soak runs the long one): the whole pipeline
# over 20,000 records with seeded random faults, sequential and -P 8, and
# rest-paginate stopped at random moments and resumed.

bats_require_minimum_version 1.5.0

setup() {
	export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
	bats_load_library bats-support
	bats_load_library bats-assert
}

@test "short soak: every record exactly once, through faults and kills" {
	bindir=$(dirname "$(command -v rest-paginate)")
	run sh "$BATS_TEST_DIRNAME/soak.sh" -s "$bindir"
	assert_success
	assert_line --partial 'soak: sequential:'
	assert_line --partial '20000 records, none missing or doubled'
	assert_line --partial 'the table equals the sequential one'
	assert_line --regexp '^soak: killed 2 times, resumed each time: the table is complete'
}
