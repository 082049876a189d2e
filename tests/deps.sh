#!/bin/sh
# Install the Debian packages the build and tests need, only when a header
# or a tool is missing.  Runs apt-get as root, or through sudo.
need=
have_header() { [ -f "/usr/include/$1" ] || [ -f "/usr/include/$(uname -m)-linux-gnu/$1" ]; }
have_header curl/curl.h || need="$need libcurl4-openssl-dev"
have_header jsmn.h || need="$need libjsmn-dev"
command -v pkg-config >/dev/null || need="$need pkg-config"
command -v cc >/dev/null || need="$need gcc"
command -v make >/dev/null || need="$need make"
command -v bats >/dev/null || need="$need bats"
[ -d /usr/lib/bats/bats-support ] || need="$need bats-support"
[ -d /usr/lib/bats/bats-assert ] || need="$need bats-assert"
[ -d /usr/lib/bats/bats-file ] || need="$need bats-file"
command -v mandoc >/dev/null || need="$need mandoc"
command -v python3 >/dev/null || need="$need python3"
command -v curl >/dev/null || need="$need curl"
command -v jq >/dev/null || need="$need jq"
command -v strace >/dev/null || need="$need strace"
[ -x /usr/bin/time ] || need="$need time"
command -v openssl >/dev/null || need="$need openssl"
command -v parallel >/dev/null || need="$need parallel"
[ -f /usr/share/bash-completion/bash_completion ] || need="$need bash-completion"
python3 -c 'import yaml' 2>/dev/null || need="$need python3-yaml"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need="$need nginx"
[ -z "$need" ] && exit 0

echo "deps: installing$need" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
# Another apt (an unattended upgrade at boot, say) holds its lock: wait
# for it, saying so, up to 5 minutes, as apt-get itself can.
lock=/var/lib/dpkg/lock-frontend
if command -v fuser >/dev/null && $sudo fuser "$lock" >/dev/null 2>&1; then
	echo "deps: another apt holds $lock; waiting up to 5 minutes" >&2
fi
wait="-o DPkg::Lock::Timeout=${DEPS_LOCK_TIMEOUT:-300}"
$sudo apt-get $wait update -qq &&
	$sudo apt-get $wait install -y -qq $need >&2
