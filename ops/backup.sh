#!/usr/bin/env bash
# Back up the PostgreSQL database named by DATABASE_URL into one custom-format pg_dump file.
#   DATABASE_URL=postgres://user@host:5432/alliance ops/backup.sh [OUTFILE]
# Default OUTFILE: backups/alliance-<UTC timestamp>.dump. The file is checked (pg_restore --list)
# before the script reports success, so a truncated dump never passes for a backup.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL must be a postgres:// URL" >&2; exit 2 ;;
esac

out="${1:-backups/alliance-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$out")"
tmp="$out.partial"
trap 'rm -f "$tmp"' EXIT

# Custom format: compressed, restorable table by table, with the schema and every row.
pg_dump --dbname="$DATABASE_URL" --format=custom --no-owner --no-privileges --file="$tmp"
pg_restore --list "$tmp" >/dev/null
mv "$tmp" "$out"
trap - EXIT
echo "backup.sh: wrote $out ($(du -h "$out" | cut -f1))"
