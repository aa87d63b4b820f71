#!/bin/bash
# eBOK backup: the database (pg_dump, custom format) and the stored files (MEDIA_ROOT: invoice PDFs, case
# attachments) into BACKUP_DIR/<UTC time>/, with SHA256SUMS. Run nightly by ebok-backup.timer; by hand:
#   sudo -u ebok env $(grep -E '^(DATABASE_URL|MEDIA_ROOT)=' /etc/ebok/ebok.env | xargs) /srv/ebok/app/deploy/backup.sh
# Reads DATABASE_URL (any role that can read every table: the web role can) and MEDIA_ROOT; BACKUP_DIR
# (default /var/backups/ebok), BACKUP_KEEP_DAYS (14; 0 keeps all). Prints the folder it wrote.
# Restore: deploy/restore.sh; docs/deployment.md, "Backups and restore".
set -euo pipefail
umask 077

: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${MEDIA_ROOT:?MEDIA_ROOT is not set}"
backup_dir="${BACKUP_DIR:-/var/backups/ebok}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$backup_dir/$stamp"
partial="$target.partial"

mkdir -p "$backup_dir"
rm -rf "$partial"
mkdir "$partial"
trap 'rm -rf "$partial"' EXIT

# The database first, then the files: a row that names a stored file was committed after the file was
# written, so every file the dump refers to is already on disk when tar reads the folder. The staging
# schemas of a running or killed import (import_run_*) are not data and belong to the import role.
pg_dump --format=custom --compress=6 --exclude-schema='import_run_*' --file="$partial/database.dump" \
    --dbname="$DATABASE_URL"
if [[ -d "$MEDIA_ROOT" ]]; then
    tar --create --file="$partial/media.tar" --directory="$MEDIA_ROOT" .
else
    tar --create --file="$partial/media.tar" --files-from=/dev/null
fi
pg_restore --list "$partial/database.dump" >/dev/null  # the dump is readable whole
(cd "$partial" && sha256sum database.dump media.tar >SHA256SUMS)

mv "$partial" "$target"
trap - EXIT

if [[ "$keep_days" -gt 0 ]]; then
    find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -name '20*Z' -mtime "+$keep_days" -exec rm -rf {} +
fi
echo "$target"
