-- eBOK's database and the rights of its three roles (deploy/postgres-roles.sql made them), run by a superuser
-- for the production database and for each database a backup is restored into (docs/deployment.md):
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -v db=ebok -v owner=ebok_owner -v web=ebok_web \
--       -v import=ebok_import -f /srv/ebok/app/deploy/postgres-database.sql
--
-- tests/ebok/test_deploy_postgres.py runs both files and checks every right, granted and refused.

CREATE DATABASE :"db" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;

-- Nobody but these roles connects; temporary tables and schemas only for the import (its staging).
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"web", :"import";
GRANT CREATE, TEMPORARY ON DATABASE :"db" TO :"import";

\connect :"db"
-- The schema public belongs to the database owner (pg_database_owner): only the owner creates tables in it.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"web", :"import";
-- Tables and sequences the owner creates from now on (every migration) ...
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"web", :"import";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"web", :"import";
-- ... and any already there (none in a new database; run these two lines again after a restore made as another role).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"web", :"import";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"web", :"import";
