#!/bin/bash
# deploy/rollback-migrations.sh STATE_FILE [--dry-run]: puts every app's migrations back where STATE_FILE (the output
# of `ebok-manage showmigrations`, saved before an upgrade) had them. Run it with the NEW code still checked out (the
# reverse steps are in the new migration files), as part of "Rolling back a failed upgrade" in docs/deployment.md;
# then check out the old code. Only apps that moved are migrated; each step is printed; --dry-run only prints.
# MANAGE overrides the command (default: ebok-manage --role owner, the role that owns the tables).
set -euo pipefail
state="${1:?usage: $0 STATE_FILE [--dry-run]}"
dry_run="${2:-}"
read -r -a manage <<<"${MANAGE:-ebok-manage --role owner}"

# showmigrations prints each app's name on a line of its own, then " [X] 0001_name" (applied) or
# " [ ] 0002_name" per migration; an app with none applied is at "zero".
last_applied() {
    awk '
        /^[A-Za-z_][A-Za-z0-9_]*$/ { app = $1; target[app] = "zero"; order[++count] = app; next }
        /^ \[X\] / { target[app] = $2 }
        /^ \(no migrations\)/ { delete target[app] }
        END { for (i = 1; i <= count; i++) if (order[i] in target) print order[i], target[order[i]] }
    '
}
wanted="$(last_applied <"$state")"
[[ -n "$wanted" ]] || { echo "$state lists no migrations: is it the output of showmigrations?" >&2; exit 2; }
now="$("${manage[@]}" showmigrations | last_applied)"

moved=0
# Later apps first: in this project an app's migrations depend on earlier apps', never the other way round.
while read -r app target; do
    if grep -qx "$app $target" <<<"$now"; then
        continue
    fi
    moved=$((moved + 1))
    echo "+ ${manage[*]} migrate $app $target"
    if [[ "$dry_run" != "--dry-run" ]]; then
        "${manage[@]}" migrate --no-input "$app" "$target"
    fi
done < <(tac <<<"$wanted")
echo "Apps moved back: $moved."
