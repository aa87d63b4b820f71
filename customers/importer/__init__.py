"""The billing import: CSV export folders (spec/billing-export.md) into the database, all or nothing.

- ``reading``: files, encodings, headers, rows with their line numbers;
- ``cells``: one parser per column type of ``customers.contract.TYPES`` (row-level checks);
- ``staging``: the tables the rows are loaded into (COPY on PostgreSQL): temporary, or on PostgreSQL
  unlogged ones in a schema of the run's, which a second connection checks while the first writes;
- ``checks``: set-based checks across rows, files and the database (references, duplicates, overlaps);
- ``writing``: set-based upserts that count what they created, updated and left unchanged (the readings'
  foreign key checked once per point, not per row, where the role may);
- ``lock``: one import at a time; ``run``: the whole run, recorded as an ``ImportRun``.
"""
