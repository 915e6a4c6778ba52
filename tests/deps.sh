#!/bin/sh
# Install the Debian packages acmec needs to build (and, with "test", to run
# its test suite) when they are missing.  Runs apt-get only when something is
# missing, "apt-get update" at most once.  Not root: print what to install and
# fail, so the build stops with a message instead of a compiler error.
set -eu

build="gcc make pkg-config libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev libldns-dev libexpat1-dev"
test="openssl curl iproute2 util-linux python3 python3-yaml python3-cryptography strace clang libclang-rt-14-dev pebble bind9 bind9-utils bind9-dnsutils mandoc default-jre-headless prometheus zsh fish"

want=$build
case "${1:-build}" in
build) ;;
test) want="$build $test" ;;
bench) want="$build $test time certbot python3-certbot-dns-rfc2136 lego uacme" ;;
*) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "acmec: missing Debian packages:$missing" >&2
	echo "acmec: install them as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "acmec: installing missing packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
