#!/bin/bash
# eBOK restore: deploy/restore.sh BACKUP_FOLDER DATABASE_URL MEDIA_ROOT
# Restores a folder written by deploy/backup.sh into an EMPTY database and an empty (or new) MEDIA_ROOT; it
# refuses anything else rather than mix two states. Run it with the owner role's DATABASE_URL (the role that
# runs migrations): it owns the restored tables, and the default privileges of deploy/postgres-roles.sql give
# the web and import roles their rights on them. docs/deployment.md, "Backups and restore".
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 BACKUP_FOLDER DATABASE_URL MEDIA_ROOT" >&2
    exit 2
fi
backup="$1"
database_url="$2"
media_root="$3"

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

tables="$(psql --no-psqlrc --tuples-only --no-align --dbname="$database_url" \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [[ "$tables" != "0" ]]; then
    echo "The database is not empty ($tables tables in public): restore into a new, empty database." >&2
    exit 1
fi
if [[ -d "$media_root" && -n "$(ls -A "$media_root")" ]]; then
    echo "$media_root is not empty: restore into an empty folder." >&2
    exit 1
fi

# One transaction: a restore that fails half-way leaves the database empty, not half-restored.
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname="$database_url" \
    "$backup/database.dump"
mkdir -p "$media_root"
tar --extract --file="$backup/media.tar" --directory="$media_root" --no-same-owner
echo "Restored $backup: database and $(find "$media_root" -type f | wc -l) files."
