# bash completion for restpipe: rest-fetch, rest-paginate, rest-select,
# rest-merge, rest-sync and rest-shard-range.
#
# No option is listed here.  Each completion reads the --help of the
# program being completed, so it offers exactly the options of the
# program that will run, whatever its version:
#   - the long options, and the short ones after a lone "-";
#   - an option's values where its help ends with a list of names,
#     such as "api_key, bearer or http_basic";
#   - files for a FILE or CONFIG, directories for a DIR, environment
#     variables for a VAR, files after the "@" of a BODY;
#   - for -r NAME, the resources of the -c file on the same line, as the
#     program itself lists them when asked for a resource it lacks;
#   - files for the operands when the usage names a FILE operand.
# It needs bash alone; bash-completion loads it by the programs' names.

# _restpipe_parse PROG: read PROG --help into the caller's arrays:
# _rp_opts (every option), _rp_arg (each option's argument, "" for none,
# indexed like _rp_opts), _rp_desc (its description), and the caller's
# _rp_files (1 when an operand is a FILE).
_restpipe_parse()
{
	local line usage= rest short long arg desc n first=0
	local re_opt='^ +(-[A-Za-z], )?(--[a-z][a-z0-9-]*)(.*)$'
	local re_arg="^ ('[^']*'|[^ ]+)(.*)$"

	_rp_opts=() _rp_arg=() _rp_desc=() _rp_files=0
	while IFS= read -r line; do
		if [[ $line =~ $re_opt ]]; then
			short=${BASH_REMATCH[1]%, } long=${BASH_REMATCH[2]}
			rest=${BASH_REMATCH[3]} arg=
			# One space separates the argument from its option;
			# two or more start the description.
			if [[ $rest != "  "* && $rest =~ $re_arg ]]; then
				arg=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]}
			fi
			desc=${rest#"${rest%%[! ]*}"}
			first=${#_rp_opts[@]}
			for n in $short $long; do
				_rp_opts+=("$n") _rp_arg+=("$arg")
				_rp_desc+=("$desc")
			done
		elif [[ $line =~ ^\ +[^\ -] && ${#_rp_opts[@]} -gt 0 ]]; then
			# A description continued on the next line.
			desc=${line#"${line%%[! ]*}"}
			for ((n = first; n < ${#_rp_opts[@]}; n++)); do
				_rp_desc[n]+=" $desc"
			done
		elif [[ ${#_rp_opts[@]} -eq 0 ]]; then
			usage+=" $line"
		fi
	done < <("$1" --help 2>/dev/null </dev/null)
	# A FILE operand: one the usage names, not as an option's argument.
	usage=$(sed -E "s/-[A-Za-z] FILE//g; s/--[a-z-]+ FILE//g" <<<"$usage")
	[[ $usage =~ (^|[ [])FILE([] ]|$) ]] && _rp_files=1
	return 0
}

# _restpipe_values DESC: the names a description ends with, "a, b or c",
# one a line; nothing when it ends otherwise.  Parenthesised remarks,
# such as "(default)", are not part of the list.
_restpipe_values()
{
	local desc=$1 list
	local re='(^|[ :])([a-z0-9_]+(, [a-z0-9_]+)* or [a-z0-9_]+)[.]?$'

	while [[ $desc =~ ^(.*)\([^\)]*\)(.*)$ ]]; do
		desc=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
	done
	desc=${desc// ,/,}
	desc=${desc%"${desc##*[! ]}"}
	[[ $desc =~ $re ]] || return 0
	list=${BASH_REMATCH[2]}
	list=${list// or /, }
	printf '%s\n' ${list//,/}
}

# _restpipe_resources PROG FILE: the resources of the configuration
# FILE, one a line, as PROG names them when asked for one it lacks.
_restpipe_resources()
{
	local msg t=
	local none='<restpipe completion: no such resource>'

	command -v timeout >/dev/null && t='timeout 5'
	msg=$($t "$1" -c "$2" -r "$none" 2>&1 >/dev/null </dev/null)
	[[ $msg == *"; there are: "* ]] || return 0
	msg=${msg##*; there are: }
	msg=${msg%%$'\n'*}
	printf '%s\n' "${msg//, /$'\n'}"
}

# _restpipe_word WORD: WORD as the program will see it, for the simple
# quoting and the ~ a command line holds before it is run.
_restpipe_word()
{
	local w=$1

	case $w in
	\'*\') w=${w:1:${#w}-2} ;;
	\"*\") w=${w:1:${#w}-2} ;;
	\~/*) w=$HOME/${w#\~/} ;;
	esac
	printf '%s' "$w"
}

# _restpipe_reply KIND CUR: add the files, directories or variables
# that complete CUR to COMPREPLY.
_restpipe_reply()
{
	local kind=$1 cur=$2 w

	case $kind in
	files)
		compopt -o filenames 2>/dev/null
		while IFS= read -r w; do
			COMPREPLY+=("$w")
		done < <(compgen -f -- "$cur")
		;;
	dirs)
		compopt -o filenames 2>/dev/null
		while IFS= read -r w; do
			COMPREPLY+=("$w")
		done < <(compgen -d -- "$cur")
		;;
	vars)
		COMPREPLY=($(compgen -e -- "$cur"))
		;;
	esac
}

_restpipe()
{
	local prog cur prev pre= opt i arg= desc config= w values
	local _rp_opts _rp_arg _rp_desc _rp_files

	COMPREPLY=()
	prog=$(_restpipe_word "${COMP_WORDS[0]}")
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	_restpipe_parse "$prog"
	((${#_rp_opts[@]} > 0)) || return 0

	# --opt=value, whether or not "=" breaks words.
	if [[ $cur == "=" && $prev == --* ]]; then
		opt=$prev cur=
	elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		opt=${cur%%=*} pre=$opt= cur=${cur#*=}
	else
		opt=$prev
	fi

	# The -c file of the line, for -r.
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -c || $w == --config ]]; then
			if [[ ${COMP_WORDS[i + 1]} == "=" ]]; then
				config=${COMP_WORDS[i + 2]}
			else
				config=${COMP_WORDS[i + 1]}
			fi
		elif [[ $w == --config=* ]]; then
			config=${w#--config=}
		elif [[ $w == -c?* ]]; then
			config=${w#-c}
		fi
	done
	config=$(_restpipe_word "$config")

	for ((i = 0; i < ${#_rp_opts[@]}; i++)); do
		[[ ${_rp_opts[i]} == "$opt" && -n ${_rp_arg[i]} ]] || continue
		arg=${_rp_arg[i]} desc=${_rp_desc[i]}
		break
	done

	if [[ -n $arg ]]; then
		if [[ $opt == -r || $opt == --resource ]]; then
			[[ -n $config ]] && values=$(_restpipe_resources "$prog" \
			    "$config")
		else
			values=$(_restpipe_values "$desc")
		fi
		if [[ -n $values ]]; then
			while IFS= read -r w; do
				[[ $w == "$cur"* ]] && COMPREPLY+=("$pre$w")
			done <<<"$values"
			return 0
		fi
		case $arg in
		FILE | CONFIG) _restpipe_reply files "$cur" ;;
		DIR) _restpipe_reply dirs "$cur" ;;
		VAR) _restpipe_reply vars "$cur" ;;
		BODY)
			if [[ $cur == @* ]]; then
				_restpipe_reply files "${cur#@}"
				COMPREPLY=("${COMPREPLY[@]/#/@}")
			fi
			;;
		esac
		[[ -n $pre ]] && COMPREPLY=("${COMPREPLY[@]/#/$pre}")
		return 0
	fi

	if [[ $cur == --* ]]; then
		for w in "${_rp_opts[@]}"; do
			[[ $w == --* && $w == "$cur"* ]] && COMPREPLY+=("$w")
		done
	elif [[ $cur == - ]]; then
		COMPREPLY=("${_rp_opts[@]}")
	elif ((_rp_files)); then
		_restpipe_reply files "$cur"
	fi
	return 0
}

complete -F _restpipe rest-fetch rest-paginate rest-select rest-merge \
	rest-sync rest-shard-range
