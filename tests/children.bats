#!/usr/bin/env bats
# Parent and child resources (issue 13): a resolve parameter or a
# {resources.PARENT.FIELD} placeholder makes one run of the child's
# requests per parent record, as dlt's transformers do.  The test server's
# /blog routes: 5 posts, post N with N comments, each comment 2 likes,
# each post one author object.

bats_require_minimum_version 1.5.0

load server
bats_load_library bats-file

setup_file() {
	server_start
}

teardown_file() {
	server_stop
}

setup() {
	server_reset
	cd "$BATS_TEST_TMPDIR" || return 1
}

# conf COMMENTS_ENDPOINT [COMMENTS_MORE]: c.json with posts, comments (its
# endpoint members given), likes (a child of comments) and author.
conf() {
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE/blog/",
	   "paginator": {"type": "offset", "limit": 2}},
	 "resources": [
	   {"name": "posts", "endpoint": {"path": "posts",
	     "data_selector": "data"}},
	   {"name": "comments", "endpoint": {$1}${2:+, $2}},
	   {"name": "likes", "endpoint": {
	     "path": "comments/{resources.comments.id}/likes",
	     "paginator": {"type": "single_page"}, "data_selector": "$"},
	    "include_from_parent": ["id", "_posts_title"]},
	   {"name": "author", "endpoint": {
	     "path": "posts/{resources.posts.id}/author",
	     "paginator": {"type": "single_page"}, "data_selector": "$"},
	    "include_from_parent": ["title"]}]}
	EOF
}

resolve='"path": "posts/{post_id}/comments", "data_selector": "data",
	"params": {"post_id": {"type": "resolve", "resource": "posts", "field": "id"}}'
placeholder='"path": "posts/{resources.posts.id}/comments", "data_selector": "data"'

# The 15 comments as rest-select gives them, with the title of their post.
expected_comments() {
	local p k
	for p in 1 2 3 4 5; do
		for ((k = 1; k <= p; k++)); do
			printf '{"id":%d,"postId":%d,"body":"comment %d of post %d","_posts_title":"post %d"}\n' \
				$((p * 100 + k)) "$p" "$k" "$p" "$p"
		done
	done
}

requests() {
	server_stats | jq .requests
}

paths() {
	server_requests | jq -r '.path + "?" + .query'
}

@test "an incremental parent: its end mark is none of its records, for the pipes and rest-sync" {
	local want
	cat >c.json <<-EOF
	{"client": {"base_url": "$BASE/blog/",
	   "paginator": {"type": "offset", "limit": 2}},
	 "resource_defaults": {"primary_key": "id"},
	 "resources": [
	   {"name": "posts", "endpoint": {"path": "posts", "data_selector": "data",
	     "params": {"since": {"type": "incremental", "cursor_path": "id",
	       "initial_value": 0}}}},
	   {"name": "comments", "endpoint": {$resolve}}]}
	EOF
	want=$(expected_comments | jq -c 'del(._posts_title)' | sort)
	run --separate-stderr bash -o pipefail -c 'rest-paginate -c c.json -r comments | rest-select -c c.json -r comments | sort' _
	assert_success
	assert_equal "$output" "$want"
	run --separate-stderr rest-sync -c c.json -C out
	assert_success
	assert_equal "$(sort out/comments.jsonl)" "$want"
	# Twice: the parent's state is used, and the mark is still no record.
	run --separate-stderr rest-sync -c c.json -C out
	assert_success
}

@test "a resolve parameter: one child run per post, include_from_parent as _posts_title" {
	conf "$resolve" '"include_from_parent": ["title"]'
	run --separate-stderr bash -c 'timeout 60 rest-paginate -c c.json -r comments | timeout 60 rest-select -c c.json -r comments'
	assert_success
	assert_equal "$(norecap)" ''
	assert_equal "$output" "$(expected_comments)"
	# The posts' pages, then each post's comments page by page.
	assert_equal "$(paths | head -6 | paste -sd' ' -)" \
		'/blog/posts?offset=0&limit=2 /blog/posts?offset=2&limit=2 /blog/posts?offset=4&limit=2 /blog/posts/1/comments?offset=0&limit=2 /blog/posts/2/comments?offset=0&limit=2 /blog/posts/3/comments?offset=0&limit=2'
	assert_equal "$(requests)" 12
}

@test "a parent record larger than the environment holds (200 KB) drives its children all the same" {
	conf "$resolve" '"include_from_parent": ["title"]'
	sed -i 's|"path": "posts",|"path": "posts", "params": {"pad": 200000},|' c.json
	run --separate-stderr bash -c 'timeout 60 rest-paginate -c c.json -r comments | timeout 60 rest-select -c c.json -r comments'
	assert_success
	assert_equal "$(norecap)" ''
	assert_equal "$output" "$(expected_comments)"
	# So does rest-sync, which hands each record on the same way.
	run rest-sync -s -c c.json -r posts -r comments -C out
	assert_success
	assert_equal "$(cat out/comments.jsonl)" "$(expected_comments)"
	assert_equal "$(jq -r '.pad | length' out/posts.jsonl | sort -u)" 200000
}

@test "RESTPIPE_PARENT_RECORD, by which a run gets its parent's record, must name a descriptor to read" {
	conf "$resolve"
	RESTPIPE_PARENT_RECORD=abc run --separate-stderr rest-paginate -c c.json -r comments
	assert_failure 70
	assert_equal "$(norecap)" "rest-paginate: RESTPIPE_PARENT_RECORD: not a descriptor: 'abc'"
	RESTPIPE_PARENT_RECORD=57 run --separate-stderr rest-paginate -c c.json -r comments
	assert_failure 74
	assert_equal "$(norecap)" "rest-paginate: RESTPIPE_PARENT_RECORD: read error: Bad file descriptor"
	assert_equal "$(requests)" 0
}

@test "a {resources.posts.id} placeholder in the path, params, headers and JSON body" {
	conf "$placeholder"',
		"params": {"post": "{resources.posts.id}"},
		"headers": {"X-Post": "p-{resources.posts.id}"},
		"json": {"post": "{resources.posts.id}", "s": "n{resources.posts.title}"},
		"method": "GET"' '"include_from_parent": ["title"]'
	run --separate-stderr bash -c 'timeout 60 rest-paginate -c c.json -r comments | timeout 60 rest-select -c c.json -r comments'
	assert_success
	assert_equal "$(norecap)" ''
	assert_equal "$output" "$(expected_comments)"
	run server_requests
	assert_equal "$(jq -r 'select(.path == "/blog/posts/4/comments") | .query' <<<"$output" | paste -sd' ' -)" \
		'offset=0&limit=2&post=4 offset=2&limit=2&post=4'
	assert_equal "$(jq -r 'select(.path == "/blog/posts/4/comments") | .headers["X-Post"]' <<<"$output" | sort -u)" 'p-4'
	# A value that is one placeholder keeps its JSON type, as in dlt.
	assert_equal "$(jq -r 'select(.path == "/blog/posts/4/comments") | .body' <<<"$output" | sort -u)" \
		'{"post":4,"s":"npost 4"}'
}

@test "a parent id '..' or '.' goes into the path as %2E%2E or %2E, not as a dot segment curl removes" {
	# As posts/../comments, curl would ask for /blog/comments, and its 15
	# comments would load as those of post '..'.
	local c
	for c in "$resolve" "$placeholder"; do
		conf "$c" '"include_from_parent": ["title"]'
		sed -i 's|"path": "posts",|"path": "posts", "params": {"ids": "..,."},|' c.json
		server_reset
		run --separate-stderr bash -c 'set -o pipefail; timeout 60 rest-paginate -c c.json -r comments | timeout 60 rest-select -c c.json -r comments'
		assert_success
		assert_equal "$(norecap)" ''
		assert_equal "$output" '{"id":"..-1","postId":"..","body":"comment 1 of post ..","_posts_title":"post .."}
{"id":".-1","postId":".","body":"comment 1 of post .","_posts_title":"post ."}'
		assert_equal "$(paths | paste -sd' ' -)" \
			'/blog/posts?offset=0&limit=2&ids=..%2C. /blog/posts/%2E%2E/comments?offset=0&limit=2 /blog/posts/%2E/comments?offset=0&limit=2'
	done
	# Only a whole '.' or '..' makes a dot segment, and only in the path:
	# the query keeps its '..'.
	conf "$placeholder"', "params": {"post": "{resources.posts.id}"}'
	printf '{"id":".."}\n{"id":"..."}\n{"id":".x"}\n{"id":"x."}\n' >parents.jsonl
	server_reset
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments --parents parents.jsonl --dry-run
	assert_success
	assert_equal "$(norecap)" ''
	assert_equal "$(grep ^GET <<<"$output" | sed "s|$BASE||" | paste -sd' ' -)" \
		'GET /blog/posts/%2E%2E/comments?offset=0&limit=2&post=.. GET /blog/posts/.../comments?offset=0&limit=2&post=... GET /blog/posts/.x/comments?offset=0&limit=2&post=.x GET /blog/posts/x./comments?offset=0&limit=2&post=x.'
	assert_equal "$(requests)" 0
}

@test "a chain of three levels: likes of comments of posts, with the parent's parent's column" {
	conf "$resolve" '"include_from_parent": ["title"]'
	run --separate-stderr bash -c 'timeout 60 rest-paginate -c c.json -r likes | timeout 60 rest-select -c c.json -r likes'
	assert_success
	assert_equal "${#lines[@]}" 30
	assert_equal "${lines[0]}" '{"id":1011,"commentId":101,"_comments_id":101,"_comments__posts_title":"post 1"}'
	assert_equal "${lines[29]}" '{"id":5052,"commentId":505,"_comments_id":505,"_comments__posts_title":"post 5"}'
	assert_equal "$(paths | grep -c likes)" 15
}

@test "a child endpoint returning one object: one record per parent" {
	conf "$resolve"
	run --separate-stderr bash -c 'timeout 60 rest-paginate -c c.json -r author | timeout 60 rest-select -c c.json -r author'
	assert_success
	assert_equal "$(norecap)" ''
	assert_equal "${#lines[@]}" 5
	assert_equal "${lines[2]}" '{"postId":3,"name":"author 3","_posts_title":"post 3"}'
}

@test "--parents FILE and - (stdin): parent records drive the child without fetching them" {
	conf "$resolve" '"include_from_parent": ["title"]'
	printf '{"id":2,"title":"two"}\n{"id":5,"title":"five"}\n' >posts.jsonl
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments --parents posts.jsonl
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_equal "${lines[0]}" '{"total":2,"data":[{"id":201,"postId":2,"body":"comment 1 of post 2","_posts_title":"two"},{"id":202,"postId":2,"body":"comment 2 of post 2","_posts_title":"two"}]}'
	assert_equal "$(paths | grep -c /blog/posts?)" 0
	run --separate-stderr bash -c 'timeout 60 rest-paginate -c c.json -r comments --parents - <posts.jsonl'
	assert_success
	assert_equal "${#lines[@]}" 4
	# Not a child resource: the options are a usage error.
	run --separate-stderr timeout 60 rest-paginate -c c.json -r posts --parents posts.jsonl
	assert_failure 64
	assert_equal "$(norecap)" "rest-paginate: --parents and --parent-start are for a child resource (one with a resolve parameter or a {resources.NAME.FIELD} placeholder)"
}

@test "-P 3 spreads child runs across parents; the output is the same, in parent order" {
	conf "$resolve"
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_success
	local one=$output
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments -P 3
	assert_success
	assert_equal "$output" "$one"
	assert_equal "${#lines[@]}" 9
}

@test "a child 404 for one parent: an error naming the parent's key; ignored with response_actions" {
	conf "$resolve"', "params": {"post_id": {"type": "resolve", "resource": "posts", "field": "id"}, "gone": "4"}'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_failure 69
	assert_equal "${#lines[@]}" 4
	run tail -1 <<<"$stderr"
	assert_output --regexp "^rest-paginate: resource 'comments': the run for parent record 3 \(id=4 of 'posts'\) failed \(exit 69\); resume with --parent-start 3:[0-9a-f]{16}\$"
	conf "$resolve"', "params": {"post_id": {"type": "resolve", "resource": "posts", "field": "id"}, "gone": "4"},
		"response_actions": [{"status_code": 404, "action": "ignore"}]'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_success
	assert_equal "${#lines[@]}" 7
	refute_output --partial '"postId":4'
}

@test "an incremental child: one end line for the whole run, and none when a parent's run failed" {
	local inc='"since": {"type": "incremental", "cursor_path": "id", "initial_value": 100}'
	local more='"primary_key": "id", "write_disposition": "merge"'
	local pipeline='set -o pipefail; rest-paginate -c c.json -r comments | rest-select -c c.json -r comments | rest-merge -c c.json -r comments'
	conf "$placeholder"', "params": {'"$inc"'}' "$more"
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_success
	assert_equal "$(grep -c _restpipe_incremental_end <<<"$output")" 1
	assert_equal "${lines[-1]}" '{"_restpipe_incremental_end":100}'
	# The run for post 4 fails: rest-merge keeps the rows of posts 1 to 3
	# and no state, and only the run that started them says where to resume.
	conf "$placeholder"', "params": {'"$inc"', "gone": "4"}' "$more"
	run --separate-stderr timeout 60 bash -c "$pipeline"
	assert_failure 69
	assert_file_not_exists comments.jsonl.state.json
	assert_equal "$(grep -c 'resume' <<<"$stderr")" 1
	grep -qxE "rest-paginate: resource 'comments': the run for parent record 3 \(id=4 of 'posts'\) failed \(exit 69\); resume with --parent-start 3:[0-9a-f]{16}" <<<"$stderr"
	grep -qF "rest-merge: comments.jsonl: the input did not end with rest-paginate's end of a whole run" <<<"$stderr"
	assert_equal "$(wc -l <comments.jsonl)" 6
	# Whole: the state is the largest id, rest-sync counts the API's
	# records and pages, and the next run asks from there for every post.
	conf "$placeholder"', "params": {'"$inc"'}' "$more"
	run --separate-stderr timeout 60 rest-sync -c c.json -r comments --json
	assert_success
	assert_equal "$(jq -r '"\(.records) \(.pages) \(.requests) \(.rows)"' <<<"$output")" '15 9 9 15'
	assert_equal "$(jq .last_value comments.jsonl.state.json)" 505
	server_reset
	run --separate-stderr timeout 60 bash -c "$pipeline"
	assert_success
	assert_equal "$(paths | grep comments | sed 's/.*since=//' | sort -u)" 505
	assert_equal "$(paths | grep -c comments)" 9
}

@test "invalid child configurations: 78 naming the path, before any request" {
	conf '"path": "posts/{id}/comments", "params": {"id": {"type": "resolve", "resource": "nope", "field": "id"}}'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_failure 78
	assert_equal "$(norecap)" "rest-paginate: c.json: \$.resources[1].endpoint.params.id.resource: no resource 'nope'"
	conf '"path": "posts/{resources.nope.id}/comments"'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_failure 78
	assert_equal "$(norecap)" "rest-paginate: c.json: \$.resources[1].endpoint.path: placeholder '{resources.nope.id}': no resource 'nope'"
	conf '"path": "posts/{resources.posts.id}/{resources.author.postId}"'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_failure 78
	assert_equal "$(norecap)" "rest-paginate: c.json: \$.resources[1].endpoint.path: takes values from resources 'posts' and 'author': a child resource has one parent"
	assert_equal "$(requests)" 0
	# rest-fetch does one request: a child resource is not one.
	conf "$resolve"
	run --separate-stderr timeout 60 rest-fetch -c c.json -r comments
	assert_failure 78
	assert_equal "$(norecap)" "rest-fetch: c.json: resource 'comments' is a child of resource 'posts' (one request for each of its records): run it with rest-paginate"
	assert_equal "$(requests)" 0
}

@test "a resolve field the parent's records lack is 65 naming it, after the first parent page" {
	conf '"path": "posts/{post_id}/comments", "data_selector": "data",
		"params": {"post_id": {"type": "resolve", "resource": "posts", "field": "post_id"}}'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_failure 65
	assert_output ''
	assert_equal "$(head -1 <<<"$stderr")" "rest-paginate: c.json: \$.resources[1].endpoint.params.post_id: the record of resource 'posts' has no field 'post_id'"
	assert_equal "$(tail -1 <<<"$stderr")" "rest-paginate: resource 'comments': the run for parent record 0 (post_id=(none) of 'posts') failed (exit 65); resume with --parent-start 0"
	assert_equal "$(paths | grep -c comments)" 0
	# An include_from_parent field too.
	conf "$resolve" '"include_from_parent": ["slug"]'
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments
	assert_failure 65
	assert_equal "$(head -1 <<<"$stderr")" "rest-paginate: resource 'comments': include_from_parent: the record of resource 'posts' has no field 'slug'"
}

@test "--position-fd names the parent and the position in it; a resume from one goes on there" {
	conf "$resolve" '"include_from_parent": ["title"]'
	run --separate-stderr bash -c 'timeout 60 rest-paginate -c c.json -r comments --position-fd 3 3>pos'
	assert_success
	local all=$output
	# Each N past the first record carries the hash of the first N keys.
	assert_equal "$(sed -E 's/ ([1-9]):[0-9a-f]{16}/ \1/' pos | paste -sd' ' -)" '--parent-start 1 --parent-start 2 --parent-start 2 --offset 2 --parent-start 3 --parent-start 3 --offset 2 --parent-start 4 --parent-start 4 --offset 2 --parent-start 4 --offset 4 --parent-start 5'
	assert_equal "$(grep -cE '^--parent-start [1-5]:[0-9a-f]{16}( --offset [24])?$' pos)" 9
	assert_equal "$(grep -- '--parent-start 4:' pos | cut -d' ' -f2 | sort -u | wc -l)" 1
	# After the first page of post 4 (record 3): the rest of post 4, then post 5.
	server_reset
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments --parent-start 3 --offset 2
	assert_success
	assert_equal "$output" "$(tail -4 <<<"$all")"
	assert_equal "$(paths | grep comments | paste -sd' ' -)" \
		'/blog/posts/4/comments?offset=2&limit=2 /blog/posts/5/comments?offset=0&limit=2 /blog/posts/5/comments?offset=2&limit=2 /blog/posts/5/comments?offset=4&limit=2'
}

@test "a resume whose parents changed before its position is 65, not a skip of the wrong parents" {
	conf "$resolve"
	timeout 60 rest-paginate -c c.json -r posts | timeout 60 rest-select -c c.json -r posts >parents.jsonl
	run --separate-stderr bash -c 'timeout 60 rest-paginate -c c.json -r comments --parents parents.jsonl --position-fd 3 3>pos'
	assert_success
	local all=$output at
	at=$(sed -n 's/^--parent-start \(3:[0-9a-f]*\)$/\1/p' pos)
	# The same parents: the resume goes on at post 4.
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments --parents parents.jsonl --parent-start "$at"
	assert_success
	assert_equal "$output" "$(tail -5 <<<"$all")"
	# A post come in front: post 3 would be the fourth record, and post 4
	# was never fetched: skipping three records is wrong.
	{ echo '{"id":6,"title":"post 6"}'; cat parents.jsonl; } >moved.jsonl
	server_reset
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments --parents moved.jsonl --parent-start "$at"
	assert_failure 65
	assert_output ''
	assert_equal "$(norecap)" "rest-paginate: resource 'comments': --parent-start $at: the first 3 records of resource 'posts' are not those of the run that said to resume there (a record came, went or moved before them): no resume is safe; rerun from the start"
	assert_equal "$(requests)" 0
	# Fewer records than the position, with or without the hash.
	head -2 parents.jsonl >fewer.jsonl
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments --parents fewer.jsonl --parent-start 3
	assert_failure 65
	assert_equal "$(norecap)" "rest-paginate: resource 'comments': --parent-start 3: resource 'posts' has 2 records now: no resume is safe; rerun from the start"
	# A hash that is not one.
	run --separate-stderr timeout 60 rest-paginate -c c.json -r comments --parents parents.jsonl --parent-start 3:xyz
	assert_failure 78
	assert_equal "$(norecap)" "rest-paginate: --parent-start: '3:xyz': not N or N:HASH (16 hex digits) as a resume hint says it"
}

@test "Ctrl-C mid-parents (SIGINT to the group): whole parents kept, the hint names the next parent, a resume completes the table once" {
	conf "$resolve"', "params": {"post_id": {"type": "resolve", "resource": "posts", "field": "id"}, "delay": "0.3"}' \
		'"include_from_parent": ["title"]'
	local pipe=(rest-paginate -c c.json -r comments '|' rest-select -c c.json -r comments
		'|' rest-merge -c c.json -r comments)
	run --separate-stderr timeout 90 python3 "$BATS_TEST_DIRNAME/interrupt.py" \
		--ready 0 --ready 1 --ready 2 --requests 7 -- "${pipe[@]}"
	assert_output '130 130 130'
	local hint at n
	hint=$(grep '^rest-paginate:' <<<"$stderr")
	assert_equal "$(wc -l <<<"$hint")" 1
	[[ $hint =~ ^rest-paginate:\ interrupted:\ resume\ with\ --parent-start\ (([1-4]):[0-9a-f]{16})$ ]] ||
		fail "hint: $hint"
	at=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
	# The table holds the comments of the parents before n, each once.
	assert_equal "$(cat comments.jsonl)" "$(expected_comments | head -$((n * (n + 1) / 2)))"
	server_reset
	run --separate-stderr timeout 60 bash -c "set -o pipefail; rest-paginate -c c.json -r comments --parent-start $at |
		rest-select -c c.json -r comments | rest-merge -c c.json -r comments"
	assert_success
	assert_equal "$(cat comments.jsonl)" "$(expected_comments)"
	# It asks nothing again for the posts before n.
	assert_equal "$(paths | awk -F/ -v n="$n" '$4 ~ /^comments/ && $3 <= n' | wc -l)" 0
	# and asks each later post's pages once: post p has ceil(p / 2).
	local p pages=0
	for ((p = n + 1; p <= 5; p++)); do
		pages=$((pages + (p + 1) / 2))
	done
	assert_equal "$(paths | grep -c comments)" "$pages"
}

# sync_conf [COMMENTS_MORE]: posts not selected, comments merged by id.
sync_conf() {
	conf "$resolve"', "params": {"post_id": {"type": "resolve", "resource": "posts", "field": "id"}'"${2:+, $2}"'}' \
		'"include_from_parent": ["title"], "primary_key": "id", "write_disposition": "merge"'"${1:+, $1}"
	jq '.resources[0].selected = false' c.json >c2.json && mv c2.json c.json
}

@test "rest-sync: selected: false parents drive their children and get no table; parents before children" {
	sync_conf
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r comments -r likes -r author
	assert_success
	assert_file_not_exists out/posts.jsonl
	assert_equal "$(cat out/comments.jsonl)" "$(expected_comments)"
	assert_equal "$(wc -l <out/likes.jsonl)" 30
	assert_equal "$(wc -l <out/author.jsonl)" 5
	# Syncing all: posts is not selected, so no table for it either.
	rm -rf out
	server_reset
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -j 2
	assert_success
	assert_file_not_exists out/posts.jsonl
	assert_equal "$(cat out/comments.jsonl)" "$(expected_comments)"
	assert_equal "$(wc -l <out/likes.jsonl)" 30
	# Each parent fetched once: the children read the records of the run.
	assert_equal "$(server_requests | jq -r .path | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | awk '{print $1, $2}' | paste -sd' ' -)" \
		'15 /blog/comments/N/likes 3 /blog/posts 5 /blog/posts/N/author 9 /blog/posts/N/comments'
	run ls -A out
	refute_output --partial records
}

@test "rest-sync: a child whose parent failed is not synced (69 for the parent, 69 for the child)" {
	sync_conf
	jq '.resources[0].selected = true | .resources[0].endpoint.path = "nowhere"' c.json >c2.json && mv c2.json c.json
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r posts -r comments
	assert_failure 69
	assert_equal "$(grep -c "comments: not synced: its parent resource 'posts' failed" <<<"$stderr")" 1
	assert_file_not_exists out/comments.jsonl
	assert_equal "$(server_requests | jq -r .path | grep -c comments)" 0
}

@test "rest-sync after Ctrl-C mid-parents (SIGINT to the group) resumes from the parent and page it stopped at" {
	sync_conf '' '"delay": "0.3"'
	run --separate-stderr timeout 90 python3 "$BATS_TEST_DIRNAME/interrupt.py" \
		--ready 0 --requests 7 -- rest-sync -c c.json -C out -r comments
	assert_output 130
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r comments --status
	assert_output --regexp 'parent-start [0-9]'
	server_reset
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r comments
	assert_success
	assert_equal "$(cat out/comments.jsonl)" "$(expected_comments)"
	# The resumed run does not ask again for post 1's comments.
	assert_equal "$(server_requests | jq -r .path | grep -c '^/blog/posts/1/comments')" 0
}

@test "rest-sync: a pending run whose parents changed before its position is discarded; the next run starts over" {
	sync_conf '' '"delay": "0.3"'
	jq '.resources[0].endpoint.params = {"feed": "1"}' c.json >c2.json && mv c2.json c.json
	run --separate-stderr timeout 90 python3 "$BATS_TEST_DIRNAME/interrupt.py" \
		--ready 0 --requests 7 -- rest-sync -c c.json -C out -r comments
	assert_output 130
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r comments --status
	assert_output --regexp 'parent-start [1-4]:[0-9a-f]{16}'
	# Post 6 comes in front of the list: every post moves one place on.
	local posts='[{"id":6,"title":"post 6","userId":16},{"id":1,"title":"post 1","userId":11},{"id":2,"title":"post 2","userId":12},{"id":3,"title":"post 3","userId":13},{"id":4,"title":"post 4","userId":14},{"id":5,"title":"post 5","userId":15}]'
	server_reset
	server_faults "$(jq -nc --argjson p "$posts" '[range(0; 8; 2) as $o | {path: "/blog/posts", args: {feed: "1", offset: ($o | tostring)}, action: "status", status: 200, times: -1, body: ({total: 6, data: $p[$o:$o + 2]} | tojson)}]')"
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r comments
	assert_failure 65
	grep -qF "$(said "rest-paginate: records of resource 'posts' are not those of the run that said to resume there" | sed 's/^[^ ]* //')" <<<"$stderr"
	grep -qE "^rest-sync: comments: .*comments.jsonl: the pending run [^ ]+ cannot be resumed: discarded; the next run starts over$" <<<"$stderr"
	assert_file_not_exists out/comments.jsonl
	run --separate-stderr timeout 60 rest-sync -c c.json -C out -r comments
	server_faults '[]'
	assert_success
	assert_equal "$(jq -r .id out/comments.jsonl | paste -sd' ' -)" \
		'601 602 603 604 605 606 101 201 202 301 302 303 401 402 403 404 501 502 503 504 505'
}

@test "examples/github.json: issue comments are a child of issues, one request sequence per issue" {
	printf '{"id":11,"number":7,"title":"a"}\n{"id":12,"number":9,"title":"b"}\n' >issues.jsonl
	run --separate-stderr env TOKEN=secret-token timeout 60 rest-paginate \
		-c "$BATS_TEST_DIRNAME/../examples/github.json" -r issue_comments \
		--parents issues.jsonl --dry-run
	assert_success
	assert_equal "$(norecap)" ''
	assert_equal "$(grep ^GET <<<"$output" | paste -sd' ' -)" \
		'GET https://api.github.com/repos/dlt-hub/dlt/issues/7/comments?per_page=100 GET https://api.github.com/repos/dlt-hub/dlt/issues/9/comments?per_page=100'
	refute_output --partial secret-token
	# Without parents, a dry run sends nothing, and says why.
	run --separate-stderr env TOKEN=secret-token timeout 60 rest-paginate \
		-c "$BATS_TEST_DIRNAME/../examples/github.json" -r issue_comments --dry-run
	assert_success
	assert_output "# resource 'issue_comments' is a child of resource 'issues': one request sequence for each of its records (--parents FILE shows them)"
}
