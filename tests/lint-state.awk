# Definitions of mutable state at file scope in a C file of lib, for
# tests/lint.sh: "FILE:NAME FILE:LINE: NAME is mutable state ...".  A
# definition whose declarator is const, a type, a prototype and anything
# inside braces are not state.
{
	line = $0
	sub(/[ \t]*\/\*.*\*\/[ \t]*$/, "", line)
	code = line
	gsub(/"([^"\\]|\\.)*"/, "", code)
	gsub(/'([^'\\]|\\.)*'/, "", code)
}
depth == 0 && line ~ /^[a-z]/ && line !~ /^(typedef|extern|return|enum)/ &&
    (line ~ /;$/ || line ~ / = /) {
	decl = line
	sub(/[=;].*/, "", decl)
	if (decl ~ /\(\*[A-Za-z_][A-Za-z0-9_]*\)/) {
		# A pointer to a function.
		name = decl
		sub(/^[^(]*\(\*/, "", name)
		sub(/\).*/, "", name)
	} else if (decl ~ /\(/) {
		name = ""		# a prototype
	} else {
		after = decl
		sub(/.*\*/, "", after)
		name = after ~ /const/ ? "" : decl
		sub(/\[.*/, "", name)
		sub(/[ \t]+$/, "", name)
		sub(/.*[ *\t]/, "", name)
	}
	if (name != "")
		printf "%s:%s %s:%d: %s is mutable state at file scope\n",
		    FILENAME, name, FILENAME, FNR, name
}
{
	depth += gsub(/{/, "{", code) - gsub(/}/, "}", code)
}
