"""Set-based upserts from the staging tables, each counting created, updated and unchanged rows.

An UPDATE touches only rows whose values differ and an INSERT only keys not yet stored, so an
unchanged re-import writes nothing at all. Rows missing from the export are never deleted.
"""

import contextlib
import uuid

from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from customers.importer.checks import CUSTOMERS, INVOICES, LINES, POINTS, READINGS, differs
from customers.importer.staging import table
from customers.models import Region
from invoices import einvoice
from invoices.models import Invoice, Payment

PAYMENTS = Payment._meta.db_table
REGIONS = Region._meta.db_table
CUSTOMER_JOIN = f"JOIN {CUSTOMERS} c ON c.region_id = %(region)s AND c.number = s.kod AND c.sub_code = s.pododbiorca"


def upsert(
    cursor,
    *,
    connection,
    target,
    source,
    key,
    unique,
    columns,
    inserted,
    params,
    touched=(),
    update=True,
    where="",
    returning=None,
    foreign_key=None,
    insert_settings=None,
):
    """UPDATE the rows of `target` matching `key` whose `columns` differ, INSERT the keys not stored yet.

    `source` is the FROM clause (alias s for the staging table), `key` the condition tying a target row t
    to a source row, `unique` the target's unique key columns, `columns` (target column, source expression)
    pairs compared and copied, `inserted` the same for columns only set on insert, `touched` extra
    assignments of an update, `where` a further condition on the inserted rows. Returns (created, updated),
    or with `returning` (a column of the target) (created, updated, that column of the created rows).
    `foreign_key` (column, referenced table): see ``insert_checked_as_a_set``. `insert_settings`: PostgreSQL
    settings for the INSERT alone.

    The INSERT skips existing keys with ON CONFLICT DO NOTHING, which checks the unique index before
    writing anything: no anti-join that would scan the rows the same statement is adding.
    """
    updated = 0
    if update:
        assignments = ", ".join(f"{column} = {expression}" for column, expression in [*columns, *touched])
        changed = " OR ".join(differs(connection, f"t.{column}", expression) for column, expression in columns)
        cursor.execute(f"UPDATE {target} AS t SET {assignments} FROM {source} WHERE {key} AND ({changed})", params)
        updated = cursor.rowcount
    every = [*inserted, *columns]
    insert = (
        f"INSERT INTO {target} ({', '.join(column for column, _ in every)}) "
        f"SELECT {', '.join(expression for _, expression in every)} FROM {source} WHERE TRUE {where} "
        f"ON CONFLICT ({', '.join(unique)}) DO NOTHING"
    )
    with transaction_settings(cursor, insert_settings or {}):
        if foreign_key and not returning:
            created = insert_checked_as_a_set(
                cursor, connection=connection, insert=insert, foreign_key=foreign_key, params=params
            )
            if created is not None:
                return created, updated
        cursor.execute(insert + (f" RETURNING {returning}" if returning else ""), params)
        if returning:
            values = [row[0] for row in cursor.fetchall()]
            return len(values), updated, values
        return cursor.rowcount, updated  # before the settings are put back: that is a statement too


def set_locally(cursor, name, value):
    """Set the PostgreSQL setting `name` for the rest of the transaction; returns its value before."""
    cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
    return cursor.fetchone()[0]


@contextlib.contextmanager
def transaction_settings(cursor, settings):
    """PostgreSQL `settings` for the statements of the block, then back to what they were (the transaction's
    end would undo them anyway, if the block fails)."""
    previous = {name: set_locally(cursor, name, value) for name, value in settings.items()}
    yield
    for name, value in previous.items():
        set_locally(cursor, name, value)


def insert_checked_as_a_set(cursor, *, connection, insert, foreign_key, params):
    """Run `insert` with its foreign key checked once per referenced row instead of once per new row;
    the number of rows inserted, or None when this connection may not (the caller inserts as usual).

    PostgreSQL checks a foreign key with a trigger per inserted row: for Django's deferred keys at commit,
    an index probe and a KEY SHARE lock of the referenced row for each one — for a million readings about
    as long as writing them. The import's INSERT takes every referenced id from a join with the referenced
    table, so the references are valid when written; what the trigger adds is the lock that keeps the
    referenced row from being deleted before this transaction commits. Here the statement switches the row
    triggers off (``session_replication_role = replica``, as ``pg_restore --disable-triggers`` does), and
    in the same statement locks each referenced row once, FOR KEY SHARE, as the trigger would. A referenced
    row deleted by another transaction while this one was inserting cannot be locked: the counts differ and
    the import fails, as it would at commit with the trigger.

    Switching needs a superuser or, on PostgreSQL 15+, ``GRANT SET ON PARAMETER session_replication_role``
    to the role (README, "Import"); without it the triggers check each row as before: slower, as safe.
    Only this one statement runs without triggers (the readings table has no others)."""
    if connection.vendor != "postgresql":
        return None
    column, referenced = foreign_key
    try:
        with transaction.atomic():  # a savepoint: a refused SET must not end the import's transaction
            previous = set_locally(cursor, "session_replication_role", "replica")
    except ProgrammingError:  # permission denied to set parameter
        return None
    cursor.execute(
        f"WITH inserted AS ({insert} RETURNING {column}), "
        f"used AS (SELECT DISTINCT {column} AS id FROM inserted), "
        f"locked AS (SELECT r.id FROM {referenced} r WHERE r.id IN (SELECT id FROM used) FOR KEY SHARE OF r) "
        "SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM used), (SELECT count(*) FROM locked)",
        params,
    )
    created, used, locked = cursor.fetchone()
    set_locally(cursor, "session_replication_role", previous)
    if locked != used:
        raise IntegrityError(
            ngettext(
                "%(gone)d z %(n)d wiersza %(table)s, do których odnoszą się nowe wiersze, usunięto w trakcie importu; "
                "nic nie zapisano, uruchom import ponownie",
                "%(gone)d z %(n)d wierszy %(table)s, do których odnoszą się nowe wiersze, usunięto w trakcie importu; "
                "nic nie zapisano, uruchom import ponownie",
                used,
            )
            % {"gone": used - locked, "n": used, "table": referenced}
        )
    return created


def write_customers(cursor, *, connection, params):
    # The e-mail, its request date and the e-invoice consent are eBOK's own: set empty on insert, never updated.
    return upsert(
        cursor,
        connection=connection,
        target=CUSTOMERS,
        source="import_odbiorcy s",
        key="t.region_id = %(region)s AND t.number = s.kod AND t.sub_code = s.pododbiorca",
        unique=["region_id", "number", "sub_code"],
        columns=[
            ("name", "s.nazwa"),
            ("nip", "s.nip"),
            ("street", "s.ulica"),
            ("postal_code", "s.kod_pocztowy"),
            ("city", "s.miejscowosc"),
            ("phone", "s.telefon"),
            ("active", "(s.aktywny = 'T')"),
        ],
        inserted=[
            ("region_id", "%(region)s"),
            ("number", "s.kod"),
            ("sub_code", "s.pododbiorca"),
            ("email", "''"),
            ("einvoice_consent", "FALSE"),
            ("created_at", "%(now)s"),
            ("updated_at", "%(now)s"),
        ],
        touched=[("updated_at", "%(now)s")],
        params=params,
    )


def write_points(cursor, *, connection, params):
    return upsert(
        cursor,
        connection=connection,
        target=POINTS,
        source=f"import_punkty s {CUSTOMER_JOIN}",
        key="t.region_id = %(region)s AND t.identifier = s.punkt",
        unique=["region_id", "identifier"],
        columns=[
            ("customer_id", "c.id"),
            ("address", "s.adres"),
            ("tariff_group", "s.grupa_taryfowa"),
            ("ordered_power_mw", "s.moc_zamowiona_mw"),
        ],
        inserted=[("region_id", "%(region)s"), ("identifier", "s.punkt")],
        params=params,
    )


def write_readings(cursor, *, connection, params):
    key = "t.point_id = p.id AND t.period_from = s.data_od AND t.period_to = s.data_do"
    skip_stored, settings = "", {}
    if connection.vendor == "postgresql":
        # Both tables were just analysed (staging.prepare_for_queries): their row estimates are fresh.
        cursor.execute(
            "SELECT greatest((SELECT reltuples FROM pg_class WHERE oid = 'import_odczyty'::regclass), 0) * 2 "
            f">= greatest((SELECT reltuples FROM pg_class WHERE oid = '{READINGS}'::regclass), 1)"
        )
        if cursor.fetchone()[0]:
            # A big file against the stored readings — a re-import repeats most of them: one anti-join leaves
            # them out faster than a conflict check per row (1.3 s against 2.2 s for a million; ON CONFLICT
            # stays as the guarantee). A small file into a big table keeps the per-row check instead of
            # scanning the table. Never as a nested loop: it would scan the stored readings once per row
            # while this statement adds to them (quadratic).
            skip_stored = f"AND NOT EXISTS (SELECT 1 FROM {READINGS} t WHERE {key})"
            settings = {"enable_nestloop": "off"}
    return upsert(
        cursor,
        connection=connection,
        target=READINGS,
        source=f"import_odczyty s JOIN {POINTS} p ON p.region_id = %(region)s AND p.identifier = s.punkt",
        key=key,
        unique=["point_id", "period_from", "period_to"],
        columns=[("meter_reading_gj", "s.stan_licznika_gj"), ("consumption_gj", "s.zuzycie_gj"), ("kind", "s.rodzaj")],
        inserted=[("point_id", "p.id"), ("period_from", "s.data_od"), ("period_to", "s.data_do")],
        where=skip_stored,
        params=params,
        foreign_key=("point_id", POINTS),
        insert_settings=settings,
    )


def random_uuid(connection):
    """SQL for a new version-4 UUID per row: PostgreSQL has one; on SQLite 122 random bits with the version
    and variant bits set, as the 32 hex digits Django's UUIDField stores there."""
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    return (
        "lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) || substr('89ab', 1 + (random() & 3), 1)"
        " || substr(hex(randomblob(2)), 2) || hex(randomblob(6)))"
    )


def write_invoices(cursor, *, connection, params, new_invoices):
    """New invoices, corrections after the invoices they correct; of issued ones only an empty KSeF number
    is filled in (the checks made sure nothing else differs)."""
    # A stored PDF printed "OFFLINE" under the code: it is rendered again with the number.
    cursor.execute(
        f"UPDATE {INVOICES} AS t SET ksef_number = s.numer_ksef, pdf = '' FROM import_faktury s "
        "WHERE t.region_id = %(region)s AND t.number = s.numer AND t.ksef_number = '' AND s.numer_ksef <> '' "
        "RETURNING public_id",
        params,
    )
    completed = [row[0] for row in cursor.fetchall()]
    new_invoices.extend(str(uuid.UUID(str(public_id))) for public_id in completed)
    updated = len(completed)
    created = 0
    while True:  # each round inserts the invoices whose corrected invoice is stored by now
        created_now, _, public_ids = upsert(
            cursor,
            connection=connection,
            target=INVOICES,
            source=f"import_faktury s {CUSTOMER_JOIN} JOIN {REGIONS} r ON r.id = %(region)s "
            f"LEFT JOIN {INVOICES} k ON k.region_id = %(region)s AND k.number = s.korygowana",
            key="t.region_id = %(region)s AND t.number = s.numer",
            unique=["region_id", "number"],
            where="AND (s.korygowana = '' OR k.id IS NOT NULL)",
            columns=[
                ("public_id", random_uuid(connection)),
                ("region_id", "%(region)s"),
                ("number", "s.numer"),
                ("customer_id", "c.id"),
                ("kind", "s.rodzaj"),
                ("corrects_id", "k.id"),
                ("issue_date", "s.data_wystawienia"),
                ("period_from", "s.okres_od"),
                ("period_to", "s.okres_do"),
                ("due_date", "s.termin_platnosci"),
                ("net", "s.netto"),
                ("vat", "s.vat"),
                ("gross", "s.brutto"),
                ("ksef_number", "s.numer_ksef"),
                ("payment_account", "s.rachunek"),
                ("buyer_name", "c.name"),
                ("buyer_nip", "c.nip"),
                ("buyer_street", "c.street"),
                ("buyer_postal_code", "c.postal_code"),
                ("buyer_city", "c.city"),
                # The seller as issued, from the region as it is at import (Invoice.seller_copy).
                *((field, f"r.{field}") for field in Invoice.SELLER_FIELDS),
                ("pdf", "''"),
                ("created_at", "%(now)s"),
            ],
            inserted=[],
            params=params,
            update=False,
            returning="public_id",
        )
        created += created_now
        new_invoices.extend(str(uuid.UUID(str(public_id))) for public_id in public_ids)
        if not created_now:
            new_invoices.extend(_invalidate_corrected(cursor, params=params))
            # The e-invoice e-mails of this run's new invoices (and corrections), set-based, in this transaction.
            einvoice.queue_imported(
                cursor, connection=connection, region_id=params["region"], created_at=params["now"]
            )
            return created, updated


def _invalidate_corrected(cursor, *, params):
    """An invoice's PDF names its corrections: the invoices corrected by this run's new ones get new PDFs."""
    cursor.execute(
        f"UPDATE {INVOICES} SET pdf = '' WHERE id IN (SELECT corrects_id FROM {INVOICES} "
        "WHERE region_id = %(region)s AND created_at = %(now)s AND corrects_id IS NOT NULL) RETURNING public_id",
        params,
    )
    return [str(uuid.UUID(str(row[0]))) for row in cursor.fetchall()]


def write_lines(cursor, *, connection, params):
    return upsert(
        cursor,
        connection=connection,
        target=LINES,
        source=f"import_pozycje s JOIN {INVOICES} i ON i.region_id = %(region)s AND i.number = s.numer",
        key="t.invoice_id = i.id AND t.position = s.lp",
        unique=["invoice_id", "position"],
        columns=[
            ("invoice_id", "i.id"),
            ("position", "s.lp"),
            ("name", "s.nazwa"),
            ("unit", "s.jm"),
            ("quantity", "s.ilosc"),
            ("unit_net_price", "s.cena_netto"),
            ("net_value", "s.wartosc_netto"),
            ("vat_rate", "s.stawka_vat"),
        ],
        inserted=[],
        params=params,
        update=False,  # lines of issued invoices never change (checked before)
    )


def write_payments(cursor, *, connection, params):
    return upsert(
        cursor,
        connection=connection,
        target=PAYMENTS,
        source=f"import_wplaty s {CUSTOMER_JOIN} "
        f"LEFT JOIN {INVOICES} i ON i.region_id = %(region)s AND i.number = s.numer_faktury",
        key="t.region_id = %(region)s AND t.billing_id = s.id",
        unique=["region_id", "billing_id"],
        columns=[
            ("customer_id", "c.id"),
            ("date", "s.data"),
            ("amount", "s.kwota"),
            ("title", "s.tytul"),
            ("invoice_id", "i.id"),
        ],
        inserted=[("region_id", "%(region)s"), ("billing_id", "s.id")],
        params=params,
    )


WRITERS = {
    "odbiorcy.csv": write_customers,
    "punkty.csv": write_points,
    "odczyty.csv": write_readings,
    "faktury.csv": write_invoices,
    "pozycje.csv": write_lines,
    "wplaty.csv": write_payments,
}

TARGETS = [CUSTOMERS, POINTS, READINGS, INVOICES, LINES, PAYMENTS]
JOINED_LATER = {"odbiorcy.csv": CUSTOMERS, "punkty.csv": POINTS, "faktury.csv": INVOICES}


def write_file(export_file, *, connection, region, new_invoices):
    """Write one staged file; its counts go to ``export_file.counts``, the public ids of the invoices it
    creates to `new_invoices`."""
    params = {"region": region.pk, "now": connection.ops.adapt_datetimefield_value(timezone.now())}
    extra = {"new_invoices": new_invoices} if export_file.name == "faktury.csv" else {}
    with connection.cursor() as cursor:
        created, updated = WRITERS[export_file.name](cursor, connection=connection, params=params, **extra)
        if connection.vendor == "postgresql" and export_file.name in JOINED_LATER and created:
            # Later files join this table: without fresh statistics PostgreSQL plans it as empty (nested
            # loops over what is now thousands of rows). ANALYZE sees this transaction's own rows.
            cursor.execute(f"ANALYZE {JOINED_LATER[export_file.name]}")
        cursor.execute(f"SELECT count(*) FROM {table(export_file.name)}")
        staged = cursor.fetchone()[0]
    export_file.counts = {"created": created, "updated": updated, "unchanged": staged - created - updated}
