"""The PostgreSQL part of docs/deployment.md, as an operator follows it: deploy/postgres-roles.sql and
deploy/postgres-database.sql make the three roles and a database, `migrate` runs as the owner, the billing import
as the import role, the portal as the web role, each with exactly its rights; deploy/backup.sh saves the database
and the stored files and deploy/restore.sh brings them back into a fresh database and folder.

On PostgreSQL only, as a superuser (the roles and the right to SET session_replication_role need one). The roles
and databases get a random suffix, since roles belong to the whole server, and are dropped at the end.
"""

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from tests.environment import needs_program

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the deployment's database is PostgreSQL"),
    needs_program("psql", "postgresql-client"),
    needs_program("pg_dump", "postgresql-client"),
]


class Server:
    """The PostgreSQL server of the test database, reached as the test's superuser or as one of the roles."""

    def __init__(self, settings):
        self.host = settings["HOST"] or "127.0.0.1"
        self.port = str(settings["PORT"] or 5432)
        self.user = settings["USER"]
        self.password = settings["PASSWORD"] or ""
        suffix = secrets.token_hex(4)
        self.roles = {name: f"ebok_{name}_{suffix}" for name in ("owner", "web", "import")}
        self.passwords = {name: secrets.token_urlsafe(16) for name in self.roles}
        self.database = f"ebok_deploy_{suffix}"
        self.restored = f"ebok_restored_{suffix}"

    def url(self, role=None, database=None):
        user, password = (self.roles[role], self.passwords[role]) if role else (self.user, self.password)
        return f"postgres://{quote(user)}:{quote(password)}@{self.host}:{self.port}/{database or self.database}"

    def psql(self, sql_file, **variables):
        arguments = [f"--set={name}={value}" for name, value in variables.items()]
        environment = {**os.environ, "PGPASSWORD": self.password}
        command = [shutil.which("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", *arguments]
        command += ["--file", str(sql_file), "--host", self.host, "--port", self.port, "--username", self.user]
        return subprocess.run(  # noqa: S603 - psql on the project's own SQL file
            [*command, "--dbname", "postgres"], env=environment, capture_output=True, text=True, check=True
        )

    def make_database(self, name):
        self.psql(DEPLOY / "postgres-database.sql", db=name, **self.roles)

    def connect(self, role=None, database=None):
        return psycopg.connect(self.url(role, database), autocommit=True)


def manage(*arguments, database_url, **environment):
    """`manage.py` in a process of its own, as the systemd units run it (the test settings: no .env, a test key)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=database_url, **environment)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("making roles needs a PostgreSQL superuser in DATABASE_URL")
        cursor.execute("SHOW server_version_num")
        if int(cursor.fetchone()[0]) < 150000:
            pytest.skip("GRANT SET ON PARAMETER needs PostgreSQL 15 or newer")
    server = Server(connection.settings_dict)
    media = tmp_path_factory.mktemp("media")
    try:
        passwords = {f"{name}_password": password for name, password in server.passwords.items()}
        server.psql(DEPLOY / "postgres-roles.sql", **server.roles, **passwords)
        server.make_database(server.database)
        migrated = manage("migrate", "--no-input", database_url=server.url("owner"), MEDIA_ROOT=str(media))
        assert migrated.returncode == 0, migrated.stderr
        # The billing export and KSeF files of six customers (demo_data's least): import_billing, import_ksef.
        loaded = manage("demo_data", "--customers", "6", database_url=server.url("import"), MEDIA_ROOT=str(media))
        assert loaded.returncode == 0, loaded.stderr
        server.media = media
        yield server
    finally:
        with server.connect(database="postgres") as admin:
            for name in (server.database, server.restored):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in server.roles.values():
                admin.execute(f'DROP OWNED BY "{role}"')  # the right on session_replication_role
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def refused(connection, sql):
    """Whether PostgreSQL refuses `sql` for lack of a right (and nothing else)."""
    try:
        with connection.transaction():
            connection.execute(sql)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_the_import_role_loads_the_billing_export(server):
    with server.connect("web") as web:
        assert web.execute("SELECT count(*) FROM customers_customer").fetchone()[0] > 0
        assert web.execute("SELECT count(*) FROM consumption_consumptionreading").fetchone()[0] > 0
        assert web.execute("SELECT count(*) FROM invoices_invoice WHERE ksef_number <> ''").fetchone()[0] > 0


def test_the_web_role_reads_and_writes_rows_and_nothing_more(server):
    with server.connect("web") as web:
        with web.transaction():
            web.execute("INSERT INTO django_session VALUES ('deploy-test', 'x', now() + interval '1 hour')")
            web.execute("UPDATE django_session SET session_data = 'y' WHERE session_key = 'deploy-test'")
            web.execute("DELETE FROM django_session WHERE session_key = 'deploy-test'")
        assert refused(web, "CREATE TABLE public.intruder (id int)")
        assert refused(web, "CREATE SCHEMA intruder")
        assert refused(web, "CREATE TEMPORARY TABLE intruder (id int)")
        assert refused(web, "ALTER TABLE customers_customer ADD COLUMN intruder int")
        assert refused(web, "DROP TABLE django_session")
        assert refused(web, "TRUNCATE django_session")
        assert refused(web, "SET session_replication_role = replica")


def test_the_import_role_has_exactly_the_two_rights_of_a_fast_import(server):
    with server.connect("import") as importer:
        with importer.transaction():
            importer.execute("SET LOCAL session_replication_role = replica")
            importer.execute("CREATE SCHEMA import_run_deploy_test")
            importer.execute("CREATE UNLOGGED TABLE import_run_deploy_test.rows (line int)")
            importer.execute("CREATE TEMPORARY TABLE staging (line int)")
            importer.execute("DROP SCHEMA import_run_deploy_test CASCADE")
        assert refused(importer, "CREATE TABLE public.intruder (id int)")
        assert refused(importer, "ALTER TABLE customers_customer ADD COLUMN intruder int")
        assert refused(importer, "DROP TABLE django_session")


def test_roles_without_a_grant_cannot_connect(server):
    with server.connect() as admin:
        admin.execute(f"CREATE ROLE \"{server.roles['web']}_other\" LOGIN PASSWORD 'other'")
    try:
        url = f"postgres://{server.roles['web']}_other:other@{server.host}:{server.port}/{server.database}"
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(url)
    finally:
        with server.connect(database="postgres") as admin:
            admin.execute(f'DROP ROLE "{server.roles["web"]}_other"')


def test_housekeeping_runs_as_the_import_role(server):
    result = manage("accounts_housekeeping", database_url=server.url("import"), MEDIA_ROOT=str(server.media))
    assert result.returncode == 0, result.stderr
    assert "porzucone tabele importu" in result.stdout


def files_of(folder):
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.rglob("*")
            if path.is_file()}  # fmt: skip


def table_counts(connection):
    tables = [row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608


def test_a_backup_restores_into_a_fresh_database_and_folder(server, tmp_path):
    # Stored files as the portal keeps them: invoice PDFs and (soon) case attachments under MEDIA_ROOT.
    (server.media / "invoices" / "2026").mkdir(parents=True, exist_ok=True)
    (server.media / "invoices" / "2026" / "FV-2026-01-0001.pdf").write_bytes(b"%PDF-1.7 " + os.urandom(4096))
    (server.media / "cases" / "ab").mkdir(parents=True, exist_ok=True)
    (server.media / "cases" / "ab" / "f3e1c0.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(20000))
    environment = {**os.environ, "DATABASE_URL": server.url("web"), "MEDIA_ROOT": str(server.media),
                   "BACKUP_DIR": str(tmp_path / "backups")}  # fmt: skip
    backup = subprocess.run(  # noqa: S603
        [DEPLOY / "backup.sh"], env=environment, capture_output=True, text=True, check=False
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(path.name for path in folder.iterdir()) == ["SHA256SUMS", "database.dump", "media.tar"]

    server.make_database(server.restored)
    restored_media = tmp_path / "restored-media"
    restore = subprocess.run(  # noqa: S603
        [DEPLOY / "restore.sh", folder, server.url("owner", server.restored), restored_media],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert restore.returncode == 0, restore.stderr
    assert files_of(restored_media) == files_of(server.media)
    with server.connect("web") as original, server.connect("web", server.restored) as copy:
        counts = table_counts(original)
        assert counts["customers_customer"] > 0
        assert table_counts(copy) == counts
        row = "SELECT number, gross, ksef_number, ksef_xml FROM invoices_invoice ORDER BY number, id"
        assert copy.execute(row).fetchall() == original.execute(row).fetchall()
        # The web role works on the restored tables (the database's default privileges), the next id is free.
        with copy.transaction():
            copy.execute("INSERT INTO django_session VALUES ('restored', 'x', now() + interval '1 hour')")

    again = subprocess.run(  # noqa: S603
        [DEPLOY / "restore.sh", folder, server.url("owner", server.restored), tmp_path / "other-media"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == 1
    assert "The database is not empty" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_restored(server, tmp_path):
    environment = {**os.environ, "DATABASE_URL": server.url("web"), "MEDIA_ROOT": str(server.media),
                   "BACKUP_DIR": str(tmp_path / "backups")}  # fmt: skip
    backup = subprocess.run([DEPLOY / "backup.sh"], env=environment, capture_output=True, text=True, check=True)  # noqa: S603
    folder = Path(backup.stdout.strip().splitlines()[-1])
    with (folder / "media.tar").open("r+b") as tar:
        tar.seek(600)
        tar.write(b"damaged")
    restore = subprocess.run(  # noqa: S603
        [DEPLOY / "restore.sh", folder, server.url("owner", server.restored), tmp_path / "media"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert restore.returncode != 0
    assert "FAILED" in restore.stdout + restore.stderr
    assert not (tmp_path / "media").exists()


def test_an_upgrade_is_rolled_back_to_the_migrations_before_it(server, tmp_path):
    """The guide's rollback: the state saved before an upgrade (showmigrations), then the upgrade's migrations,
    then deploy/rollback-migrations.sh with that state puts back exactly the apps that moved."""
    owner = server.url("owner")
    try:
        assert manage("migrate", "sessions", "zero", database_url=owner).returncode == 0  # the release before
        before = tmp_path / "migrations-before.txt"
        before.write_text(manage("showmigrations", database_url=owner).stdout)
        assert manage("migrate", "--no-input", database_url=owner).returncode == 0  # the upgrade
        environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        environment.update(DATABASE_URL=owner, DJANGO_SETTINGS_MODULE="tests.settings")
        environment["MANAGE"] = f"{sys.executable} manage.py"
        rollback = subprocess.run(  # noqa: S603
            [DEPLOY / "rollback-migrations.sh", before], cwd=ROOT, env=environment, capture_output=True, text=True
        )
        assert rollback.returncode == 0, rollback.stderr
        step = f"+ {sys.executable} manage.py migrate sessions zero"
        lines = rollback.stdout.splitlines()
        assert [line for line in lines if line.startswith("+ ")] == [step]
        assert lines[-1] == "Apps moved back: 1."
        assert manage("showmigrations", database_url=owner).stdout == before.read_text()
        with server.connect("web") as web:
            assert web.execute("SELECT to_regclass('django_session')").fetchone()[0] is None
    finally:
        manage("migrate", "--no-input", database_url=owner)
