"""Reading the export's files: which are there, their encoding, SHA-256, header and rows."""

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from customers.contract import FILES, REQUIRED

ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "cp1250": "cp1250", "windows-1250": "cp1250"}
CHUNK = 1 << 20


@dataclass
class ExportFile:
    """One file of the run: what was read from it and what became of it."""

    name: str
    path: object
    size: int = 0
    sha256: str = ""
    encoding: str = ""
    rows: int = 0
    columns: dict = field(default_factory=dict)  # contract column -> index in the row
    counts: dict = field(default_factory=dict)  # created / updated / unchanged

    def summary(self):
        return {"name": self.name, "size": self.size, "sha256": self.sha256, "encoding": self.encoding,
                "rows": self.rows, **self.counts}  # fmt: skip


def present_files(folder):
    """The contract's files found in `folder`, in processing order."""
    return [ExportFile(name, folder / name) for name in FILES if (folder / name).is_file()]


def fingerprint(export_file, *, encoding=None):
    """Size and SHA-256 of the file, and its encoding: the one asked for, else UTF-8 if it decodes, else
    Windows-1250. Returns an error message when neither fits."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    with open(export_file.path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    export_file.size, export_file.sha256 = size, digest.hexdigest()
    if encoding:
        export_file.encoding = ENCODINGS[encoding.lower()]
    else:
        export_file.encoding = "utf-8-sig" if utf8 else "cp1250"
    if export_file.encoding == "cp1250" and not cp1250_decodes(export_file.path):
        return _("plik nie jest ani w UTF-8, ani w Windows-1250")
    if export_file.encoding == "utf-8-sig" and not utf8:
        return _("plik nie jest w UTF-8 (użyj --encoding cp1250, jeśli jest w Windows-1250)")
    return None


def cp1250_decodes(path):
    decoder = codecs.getincrementaldecoder("cp1250")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    return True


class Rows:
    """The data rows of one file as (line number, cells), streamed; `position()` is bytes read so far."""

    def __init__(self, export_file):
        self.file = export_file
        self._raw = open(export_file.path, "rb")  # noqa: SIM115 (closed by close())
        self._text = io.TextIOWrapper(self._raw, encoding=export_file.encoding, newline="")
        self._reader = csv.reader(self._text, delimiter=";", quotechar='"', strict=True)
        self.header = None

    def read_header(self):
        try:
            self.header = [cell.strip().lower() for cell in next(self._reader)]
        except StopIteration:
            self.header = []
        return self.header

    def __iter__(self):
        reader = self._reader
        last = reader.line_num
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # an empty line
            yield start, cells

    @property
    def line_num(self):
        return self._reader.line_num

    def position(self):
        return self._raw.tell()

    def close(self):
        self._text.close()


def check_header(export_file, header, errors, warnings):
    """Map the contract's columns to their places in the header; report missing, unknown and repeated ones."""
    known = FILES[export_file.name]
    seen = {}
    for index, column in enumerate(header):
        if column in seen:
            errors.add(export_file.name, 1, column, _("kolumna powtórzona w nagłówku"))
        elif column in known:
            seen[column] = index
        else:
            warnings.append(
                _("%(file)s: nieznana kolumna „%(column)s” — pomijam ją")
                % {"file": export_file.name, "column": column}
            )
    for column in REQUIRED[export_file.name]:
        if column not in seen:
            errors.add(export_file.name, 1, column, _("brak wymaganej kolumny w nagłówku"))
    export_file.columns = seen
    return export_file.columns
