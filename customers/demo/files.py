"""The six CSV files of the billing contract, written account by account from a DemoExport."""

import csv

from customers.contract import FILES, format_cell

ROWS = {
    "odbiorcy.csv": lambda account: [account.customer],
    "punkty.csv": lambda account: account.points,
    "odczyty.csv": lambda account: account.readings,
    "faktury.csv": lambda account: account.invoices,
    "pozycje.csv": lambda account: account.lines,
    "wplaty.csv": lambda account: account.payments,
}


class ExportWriter:
    """The six CSV files of the contract in a folder (UTF-8 with BOM, `;`, CRLF), written account by account.

    ``with ExportWriter(folder) as export: export.write(account)``; ``export.counts`` has rows per file.
    """

    def __init__(self, folder):
        self.folder = folder
        self.counts = dict.fromkeys(FILES, 0)

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self._handles = {name: open(self.folder / name, "w", encoding="utf-8-sig", newline="") for name in FILES}  # noqa: SIM115
        self._writers = {}
        for name, handle in self._handles.items():
            self._writers[name] = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            self._writers[name].writerow(FILES[name])
        return self

    def write(self, account):
        for name, columns in FILES.items():
            for row in ROWS[name](account):
                self._writers[name].writerow([format_cell(row[column]) for column in columns])
                self.counts[name] += 1

    def __exit__(self, *exc_info):
        for handle in self._handles.values():
            handle.close()
