#!/usr/bin/env bash
# Installs the Debian packages the test suite drives (independent verifiers, a real LDAP server,
# a browser) when they are missing, and starts the servers the tests need. Safe to run twice.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(grep -Ev '^\s*(#|$)' "$here/debian-packages.txt")
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test prerequisites: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "test prerequisites: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Servers among the packages (slapd) must not start as system services: the tests run their
  # own instances. policy-rc.d (exit 101) tells invoke-rc.d to start nothing during the install.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL: the development and CI machines run it on 127.0.0.1:5432 with trust auth.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
    echo "test prerequisites: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "test prerequisites: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
