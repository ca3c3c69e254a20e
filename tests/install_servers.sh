#!/usr/bin/env bash
# Installs the servers the tests start on 127.0.0.1 when they are missing (Debian packages;
# needs root and apt-get): Virtuoso Open Source for the store tests, PostgreSQL and Redis for
# the tests of several machines (issue #16). The Oxigraph server comes from PyPI with the test
# extras. Never fails the build: without a server its tests skip and say why.
set -u
missing=()
command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource)
{ command -v postgres >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; } || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} = 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install_servers: ${missing[*]} missing and cannot be installed here (needs root and apt-get);" \
         "their tests will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
for package in "${missing[@]}"; do
    if ! apt-cache policy "$package" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        apt-get update -qq >&2 || true
        break
    fi
done
# policy-rc.d answering 101: the packages' own services are not started (the tests start
# their own), unless the machine has a policy of its own
own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
fi
for package in "${missing[@]}"; do
    echo "install_servers: installing $package (apt-get)" >&2
    if ! apt-get install -y -q "$package" >&2; then
        echo "install_servers: apt-get install $package failed; its tests will skip" >&2
    fi
done
[ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
exit 0
