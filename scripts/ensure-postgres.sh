#!/usr/bin/env bash
# PostgreSQL for the tests and benchmarks (issue 15): 127.0.0.1:5432, trust auth, database `test`.
# Used as it is when it answers; otherwise started, or installed from Debian's packages and started.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "ci: installing Debian's postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /etc/postgresql | sort -V | tail -1)
if ! ready; then
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # The tests connect as postgres over TCP without a password, as on the project's machines.
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    sed -i '/^[^#]/d' "$hba"
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' >>"$hba"
  fi
  echo "ci: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready || { echo "ci: PostgreSQL does not answer on 127.0.0.1:5432"; exit 1; }
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 ||
  psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE test' >/dev/null
echo "ci: PostgreSQL $(psql -h 127.0.0.1 -U postgres -tAc 'SHOW server_version') on 127.0.0.1:5432"
