-- eBOK's PostgreSQL roles (PostgreSQL 15 or newer), made once per server by a superuser (docs/deployment.md):
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -v owner=ebok_owner -v web=ebok_web -v import=ebok_import \
--       -v owner_password=... -v web_password=... -v import_password=... \
--       -f /srv/ebok/app/deploy/postgres-roles.sql
--
-- then the database with deploy/postgres-database.sql.
--
-- Three roles, each with what it needs and nothing more (README, "Importing billing data"):
--   owner  owns the database and its tables: runs `manage.py migrate` and deploy/restore.sh, nothing else.
--   web    the web processes, the worker, the e-invoice timer and backups: reads and writes rows, uses the
--          sequences; cannot change a table, create anything or switch foreign keys off.
--   import import_billing, import_ksef and accounts_housekeeping: the rows as the web role, and the two rights
--          the README names for a fast import: CREATE on the database (staging schemas import_run_…, committed
--          so the checks run on a second connection) and SET session_replication_role (readings inserted
--          without the per-row foreign key check). Whoever holds the second can switch off every foreign key
--          and trigger for their session: never give it to the web role.
-- tests/ebok/test_deploy_postgres.py runs both files and checks each right, granted and refused.

CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"web" LOGIN PASSWORD :'web_password';
CREATE ROLE :"import" LOGIN PASSWORD :'import_password';
-- A server-wide right, so it is granted here, not per database.
GRANT SET ON PARAMETER session_replication_role TO :"import";
