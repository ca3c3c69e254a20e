#!/usr/bin/env bash
# Installs Virtuoso Open Source for the store tests when it is missing (Debian's
# virtuoso-opensource; needs root and apt-get). The Oxigraph server comes from PyPI with the
# test extras. Never fails the build: without Virtuoso its tests skip and say why.
set -u
if command -v virtuoso-t >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install_servers: virtuoso-t is missing and cannot be installed here (needs root and apt-get);" \
         "the Virtuoso store tests will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "install_servers: installing virtuoso-opensource (apt-get)" >&2
if ! apt-cache policy virtuoso-opensource 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt-get update -qq >&2 || true
fi
if ! apt-get install -y -q virtuoso-opensource >&2; then
    echo "install_servers: apt-get install virtuoso-opensource failed; the Virtuoso store tests will skip" >&2
fi
# The package's own service is not needed: the tests start their own server on 127.0.0.1.
exit 0
