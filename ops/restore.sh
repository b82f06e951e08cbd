#!/usr/bin/env bash
# Restore a pg_dump file made by ops/backup.sh into a NEW, empty database.
#   ops/restore.sh DUMPFILE postgres://user@host:5432/alliance_restored
# The target database is created if missing and must hold no tables (restoring over live data is
# refused). One transaction: any error leaves the target empty. Afterwards the app's migrations
# are checked, so a restore from an older release says so.
set -euo pipefail

dump="${1:?usage: ops/restore.sh DUMPFILE TARGET_DATABASE_URL}"
target="${2:?usage: ops/restore.sh DUMPFILE TARGET_DATABASE_URL}"
[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 2; }

dbname="${target##*/}"; dbname="${dbname%%\?*}"
server="${target%/*}/postgres"
if ! psql "$server" -tAc "select 1 from pg_database where datname = '$dbname'" | grep -q 1; then
  createdb --maintenance-db="$server" "$dbname"
fi
tables="$(psql "$target" -tAc "select count(*) from information_schema.tables where table_schema = 'public'")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: $dbname already has $tables tables; restore into a new database" >&2
  exit 3
fi

pg_restore --dbname="$target" --no-owner --no-privileges --exit-on-error --single-transaction "$dump"

# The restored schema must match this release's migrations.
cd "$(dirname "$0")/.."
DATABASE_URL="$target" "${PYTHON:-.venv/bin/python}" manage.py migrate --check --noinput >/dev/null \
  || { echo "restore.sh: restored, but migrations are pending (dump from another release?): run manage.py migrate" >&2; exit 4; }
echo "restore.sh: restored $dump into $dbname"
