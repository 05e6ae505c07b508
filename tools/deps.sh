#!/bin/sh
# Install the Debian packages named as arguments that are not installed yet.
# Only as root and only where apt-get exists; otherwise say what is missing.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null ||
	    { echo "apt-get install$missing failed" >&2; exit 1; }
	exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
	exit 0	# not Debian: trust pkg-config to find the libraries
fi
echo "missing packages:$missing (run as root, or install them)" >&2
exit 1
