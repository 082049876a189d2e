# Checks that a program's --help and its man page agree; for bats files
# (load manpage), after bats-support and bats-assert are loaded.

# help_options PROG [long|short]: the options --help lists, one a line;
# without a second argument the short form where there is one.
help_options() {
	"$1" --help | sed -nE '
		s/^ +(-[A-Za-z]), (--[a-z][a-z-]*).*/\1 \2/p
		s/^ +(--[a-z][a-z-]*).*/- \1/p' |
	case ${2:-} in
	long) awk '{ print $2 }' ;;
	short) awk '$1 != "-" { print $1 }' ;;
	*) awk '{ print $1 == "-" ? $2 : $1 }' ;;
	esac | sort
}

# Every long option of --help is mentioned in the page and has its entry
# in the option list, and the page names no other.
assert_man_long_options() {	# PROG MAN
	local help man
	help=$(help_options "$1" long)
	assert [ -n "$help" ]
	man=$(grep -oE 'Fl \\?-[a-z][a-z-]*' "$2" | sed -E 's/^Fl \\?-/--/' |
	    sort -u)
	assert_equal "$man" "$help"
	man=$(sed -nE 's/^\.It Fl .*Fl \\?(-[a-z][a-z-]*).*/-\1/p
		s/^\.It Fl \\?(-[a-z][a-z-]*).*/-\1/p' "$2" | sort)
	assert_equal "$man" "$help"
}

# The short options of --help and of the page's option list are the same.
assert_man_short_options() {	# PROG MAN
	local help man
	help=$(help_options "$1" short)
	assert [ -n "$help" ]
	man=$(sed -nE 's/^\.It Fl ([A-Za-z])( .*)?$/-\1/p' "$2" | sort)
	assert_equal "$man" "$help"
}

# The SYNOPSIS names every option of --help, and no other.
assert_man_synopsis() {	# PROG MAN
	local help man
	help=$(help_options "$1")
	man=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$2" |
		sed -nE 's/^\.(Op |Oo )?Fl \\?([^ ]+).*/\2/p' |
		while read -r f; do
			if [[ $f == -* ]]; then
				echo "-$f"
			else
				sed -E 's/(.)/-\1\n/g' <<<"$f" | sed '/^$/d'
			fi
		done | sort -u)
	assert_equal "$man" "$help"
}

# mandoc -Tlint has nothing to say about the page.
assert_man_lint() {	# MAN
	run mandoc -Tlint -Wwarning "$1"
	assert_success
	assert_output ''
}
