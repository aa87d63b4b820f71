"""One run of import_ksef: FA(3) files checked and stored in one transaction, under the import lock."""

import contextlib
import hashlib
import re
from decimal import Decimal

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from customers.importer.errors import Problems
from customers.importer.lock import import_lock
from customers.models import Customer, ImportRun
from invoices import einvoice, ksef
from invoices.models import CorrectedInvoice, Invoice, InvoiceLine, SettledAdvance
from invoices.tasks import enqueue_pdf_renders
from invoices.validators import ksef_number_ok, nrb_checksum_ok

CODE_RE = re.compile(r"(\d{1,6})(?:-(\d{1,4}))?\Z")
COMPARED = ["customer_id", "kind", "issue_date", "period_from", "period_to", "due_date", "net", "vat", "gross",
            "payment_account", "corrects_id"]  # fmt: skip
# What only the XML knows: filled in when an invoice known from the CSV gets its XML, compared otherwise.
FROM_XML = ["fa_kind", "order_value", "before_correction"]
# The order of storing: advance invoices before the settling ones that name them, corrections last.
STORE_ORDER = {"ROZ": 1, "KOR": 2, "KOR_ZAL": 2, "KOR_ROZ": 2}
# Kinds whose lines add up to the invoice's net amount; a settling invoice's lines are the whole order, an
# advance invoice's (if any) the order too, and so are those of their corrections.
LINES_ARE_AMOUNTS = {"VAT", "KOR", "UPR"}


class Rejected(Exception):
    pass


def xml_files(paths):
    """The files named, and the *.xml files of the folders named, in name order."""
    found = []
    for path in paths:
        found += sorted(path.glob("*.xml")) if path.is_dir() else [path]
    return found


def parse_customer_code(text):
    match = CODE_RE.match(text.strip())
    return (match[1].zfill(6), (match[2] or "0").zfill(4)) if match else None


def ksef_import(*, paths, region, started_by, customer=None, dry_run=False):
    """Import FA(3) files into `region`; `customer` ("1234" or "1234-0000") overrides Podmiot2/NrKlienta."""
    files = xml_files(paths)
    run = ImportRun(
        kind=ImportRun.Kind.KSEF,
        region=region,
        started_by=started_by,
        source=", ".join(str(path) for path in paths),
        dry_run=dry_run,
    )
    run.problems, run.warning_list, run.files, run.to_render, run.to_mail = Problems(), [], [], [], []
    with import_lock(connection=connection):
        try:
            with transaction.atomic():
                _import(files, run=run, customer=customer)
                _finish(run, ImportRun.Result.DRY_RUN if dry_run else ImportRun.Result.OK)
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    enqueue_pdf_renders(run.to_render)  # committed with the invoices, or not at all
                    einvoice.enqueue(run.to_mail)  # the e-invoice e-mails of the new invoices, likewise
                    run.save()
        except Rejected:
            _finish(run, ImportRun.Result.FAILED)
            run.save()
        except (OperationalError, InterfaceError):  # the database itself failed: record what can be, re-raise
            _finish(run, ImportRun.Result.FAILED, rolled_back=True)
            with contextlib.suppress(DatabaseError):
                run.save()
            raise
        except DatabaseError as error:  # a rule the checks missed: the database refused, nothing was written
            message = gettext("baza danych odrzuciła zapis: %(error)s") % {"error": error}
            run.problems.add(run.source, 0, "-", message)
            _finish(run, ImportRun.Result.FAILED, rolled_back=True)
            run.save()
        if dry_run and run.result == ImportRun.Result.DRY_RUN:
            run.save()
    return run


def _import(files, *, run, customer):
    if not files:
        run.problems.add(run.source, 0, "-", gettext("brak plików XML"))
        raise Rejected
    parsed = []
    for path in files:
        raw = path.read_bytes()
        summary = {"name": path.name, "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest(), "rows": 1}
        run.files.append(summary)
        try:
            invoice = ksef.parse(ksef.validate(raw))
        except ksef.KsefError as error:
            for line, message in error.entries:
                run.problems.add(path.name, line, error.element, message)
            continue
        parsed.append((path, raw, invoice, summary))
    # Settling invoices after the advances they name, corrections after the invoices they may correct.
    for path, raw, invoice, summary in sorted(parsed, key=lambda item: STORE_ORDER.get(item[2].fa_kind, 0)):
        outcome = store(path=path, raw=raw, invoice=invoice, run=run, customer_code=customer)
        summary.update(created=0, updated=0, unchanged=0)
        if outcome:
            summary[outcome] = 1
    if run.problems:
        raise Rejected


def store(*, path, raw, invoice, run, customer_code):
    """Create, complete or confirm one invoice; returns "created", "updated", "unchanged" or None (a problem)."""
    problems, name, region = run.problems, path.name, run.region
    if invoice.seller_nip != region.seller_nip:
        message = gettext(
            "fakturę wystawił sprzedawca o NIP %(nip)s, a sprzedawcą regionu %(region)s jest NIP %(seller)s: eBOK "
            "przyjmuje tylko faktury wystawione przez firmę"
        ) % {"nip": invoice.seller_nip, "region": region, "seller": region.seller_nip}
        problems.add(name, 0, "Podmiot1/NIP", message)
        return None
    code = parse_customer_code(customer_code or invoice.customer_code)
    if code is None:
        message = gettext("„%(code)s” nie jest numerem odbiorcy: podaj --customer 1234[-0000]")
        problems.add(name, 0, "Podmiot2/NrKlienta", message % {"code": invoice.customer_code})
        return None
    customer = Customer.objects.filter(region=region, number=code[0], sub_code=code[1]).first()
    if customer is None:
        message = gettext("nieznany odbiorca %(code)s w regionie %(region)s")
        problems.add(name, 0, "Podmiot2/NrKlienta", message % {"code": f"{code[0]}-{code[1]}", "region": region})
        return None
    if invoice.buyer_nip and customer.nip and invoice.buyer_nip != customer.nip:
        message = gettext("nabywca ma NIP %(buyer)s, a odbiorca %(customer)s — %(nip)s")
        problems.add(
            name,
            0,
            "Podmiot2/NIP",
            message % {"buyer": invoice.buyer_nip, "customer": customer.code, "nip": customer.nip},
        )
        return None
    ksef_number = path.stem if ksef_number_ok(path.stem) else ""
    fields = _fields(invoice, name=name, customer=customer, problems=problems)
    if fields is None:
        return None
    existing = Invoice.objects.filter(region=region, number=invoice.number).first()
    if existing is not None:
        return _confirm(existing, fields, invoice=invoice, raw=raw, ksef_number=ksef_number, name=name, run=run)
    if ksef_number and Invoice.objects.filter(ksef_number=ksef_number).exists():
        message = gettext("numer KSeF %(number)s ma już inna faktura") % {"number": ksef_number}
        problems.add(name, 0, gettext("numer KSeF"), message)
        return None
    buyer = Invoice.buyer_copy(customer)  # printed when the XML names no buyer
    seller = Invoice.seller_copy(region)  # the XML's seller is printed; this copy is kept as issued all the same
    created = Invoice.objects.create(region=region, ksef_number=ksef_number, ksef_xml=raw, **fields, **buyer, **seller)
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=created, **vars(line)) for line in invoice.lines)
    _store_advances(created, invoice)
    _store_corrected(created, invoice)
    run.to_render.append(created.public_id)
    delivery = einvoice.queue_invoice(created)
    if delivery is not None and delivery.state == delivery.State.QUEUED:
        run.to_mail.append(delivery.pk)
    if created.corrects_id:  # the corrected invoice's PDF names its corrections
        Invoice.objects.filter(pk=created.corrects_id).exclude(pdf="").update(pdf="")
        run.to_render.append(created.corrects.public_id)
    return "created"


def _fields(invoice, *, name, customer, problems):
    corrects = None
    if invoice.kind == "KOR":
        found = [match for match in _corrected(invoice, customer) if match is not None]
        if not found:
            problems.add(name, 0, "DaneFaKorygowanej/NrFaKorygowanej", _unknown_corrected(invoice, customer))
            return None
        corrects = min(found, key=lambda match: (match.issue_date, match.number))  # the oldest
    lines_net = sum(line.net_value for line in invoice.lines)
    if invoice.lines and invoice.fa_kind in LINES_ARE_AMOUNTS and lines_net != invoice.net:
        message = gettext("wiersze sumują się do innej kwoty niż netto faktury (%(net)s)") % {"net": invoice.net}
        problems.add(name, 0, "FaWiersz", message)
        return None
    if invoice.fa_kind == "ROZ" and invoice.order_value < invoice.gross:
        message = gettext(
            "wiersze faktury rozliczeniowej (całe zamówienie, %(order)s z VAT) są mniejsze niż kwota do zapłaty "
            "po zaliczkach (%(gross)s)"
        ) % {"order": invoice.order_value, "gross": invoice.gross}
        problems.add(name, 0, "FaWiersz", message)
        return None
    account = invoice.payment_account
    if account and not nrb_checksum_ok(account):
        message = gettext("„%(account)s” nie jest polskim numerem rachunku (NRB)") % {"account": account}
        problems.add(name, 0, "Platnosc/RachunekBankowy/NrRB", message)
        return None
    longest = Invoice._meta.get_field("number").max_length
    if len(invoice.number) > longest:
        message = ngettext(
            "numer faktury ma %(n)d znak: eBOK przyjmuje najwyżej %(longest)d",
            "numer faktury ma %(n)d znaków: eBOK przyjmuje najwyżej %(longest)d",
            len(invoice.number),
        ) % {"n": len(invoice.number), "longest": longest}
        problems.add(name, 0, "P_2", message)
        return None
    if invoice.period_from and invoice.period_to and invoice.period_from > invoice.period_to:
        message = gettext("okres od %(start)s jest późniejszy niż do %(end)s")
        problems.add(name, 0, "OkresFa", message % {"start": invoice.period_from, "end": invoice.period_to})
        return None
    for line in invoice.lines:
        for field_name, value, element in (("unit", line.unit, "P_8A"), ("name", line.name, "P_7")):
            if len(value) > InvoiceLine._meta.get_field(field_name).max_length:
                message = gettext("„%(text)s…” jest za długie") % {"text": value[:40]}
                problems.add(name, 0, f"FaWiersz/{element}", message)
                return None
    return {
        "number": invoice.number,
        "customer": customer,
        "kind": invoice.kind,
        "fa_kind": invoice.fa_kind,
        "order_value": invoice.order_value,
        "before_correction": invoice.before_correction,
        "corrects": corrects,
        "issue_date": invoice.issue_date,
        "period_from": invoice.period_from,
        "period_to": invoice.period_to,
        "due_date": invoice.due_date,
        "net": invoice.net,
        "vat": invoice.vat,
        "gross": invoice.gross,
        "payment_account": account,
    }


def _corrected(invoice, customer):
    """For each invoice a correction names (DaneFaKorygowanej), the customer's invoice it is: by its number,
    else by its KSeF number; None where eBOK has no such invoice of this customer (another's is never taken)."""
    invoices = Invoice.objects.filter(region=customer.region, customer=customer)
    found = []
    for named in invoice.corrected:
        match = invoices.filter(number=named.number).first()
        if match is None and named.ksef_number:
            match = invoices.filter(ksef_number=named.ksef_number).first()
        found.append(match)
    return found


def _unknown_corrected(invoice, customer):
    numbers = [named.number for named in invoice.corrected]
    if len(numbers) == 1:
        return gettext("nieznana faktura korygowana %(number)s odbiorcy %(customer)s") % {
            "number": numbers[0],
            "customer": customer.code,
        }
    return ngettext(
        "korekta zbiorcza %(count)d faktury: żadnej z nich (%(numbers)s) nie ma w eBOK wśród faktur odbiorcy "
        "%(customer)s",
        "korekta zbiorcza %(count)d faktur: żadnej z nich (%(numbers)s) nie ma w eBOK wśród faktur odbiorcy "
        "%(customer)s",
        len(numbers),
    ) % {"count": len(numbers), "numbers": ", ".join(numbers), "customer": customer.code}


def _store_corrected(stored, invoice):
    """All the invoices a collective correction names, each linked to eBOK's copy when it is the customer's."""
    if not invoice.is_collective:
        return  # a correction of one invoice says it all by `corrects`
    matches = _corrected(invoice, stored.customer)
    CorrectedInvoice.objects.bulk_create(
        CorrectedInvoice(
            correction=stored,
            position=position,
            number=named.number,
            issue_date=named.issue_date,
            ksef_number=named.ksef_number,
            corrected=match,
        )
        for position, (named, match) in enumerate(zip(invoice.corrected, matches, strict=True), start=1)
    )


def _store_advances(stored, invoice):
    """The advance invoices a settling invoice names, each linked to eBOK's copy when it is the customer's."""
    customer_invoices = Invoice.objects.filter(region=stored.region, customer_id=stored.customer_id)
    rows = []
    for position, (number, ksef_number) in enumerate(invoice.advances, start=1):
        advance = None
        if ksef_number:
            advance = customer_invoices.filter(ksef_number=ksef_number).first()
        if advance is None and number:
            advance = customer_invoices.filter(number=number).first()
        rows.append(
            SettledAdvance(invoice=stored, position=position, number=number, ksef_number=ksef_number, advance=advance)
        )
    SettledAdvance.objects.bulk_create(rows)


def _confirm(existing, fields, *, invoice, raw, ksef_number, name, run):
    """An invoice already stored: the same XML again, or the CSV's invoice getting its XML; nothing else."""
    if existing.ksef_xml is not None and bytes(existing.ksef_xml) != raw:
        message = gettext("faktura %(number)s jest już zapisana z innym XML") % {"number": existing.number}
        run.problems.add(name, 0, "P_2", message)
        return None
    candidate = Invoice(region=existing.region, **fields)
    differs = [field for field in COMPARED if not _same(getattr(candidate, field), getattr(existing, field))]
    if existing.fa_kind:  # else known from the CSV only, which has none of these
        differs += [field for field in FROM_XML if not _same(getattr(candidate, field), getattr(existing, field))]
    stored_lines = [(line.name, line.net_value, line.vat_rate) for line in existing.lines.order_by("position")]
    new_lines = [(line.name, line.net_value, line.vat_rate) for line in invoice.lines]
    if stored_lines and stored_lines != new_lines:
        differs.append(gettext("wiersze"))
    if existing.ksef_number and ksef_number and existing.ksef_number != ksef_number:
        differs.append(gettext("numer KSeF"))
    if differs:
        message = gettext("faktura %(number)s jest już wystawiona i nie może się zmienić (różni się: %(fields)s)")
        run.problems.add(name, 0, "P_2", message % {"number": existing.number, "fields": ", ".join(differs)})
        return None
    changes = {}
    if existing.ksef_xml is None:
        changes["ksef_xml"] = raw
        if not stored_lines:
            InvoiceLine.objects.bulk_create(InvoiceLine(invoice=existing, **vars(line)) for line in invoice.lines)
    if not existing.fa_kind:
        changes.update({field: fields[field] for field in FROM_XML})
        if not existing.settled_advances.exists():
            _store_advances(existing, invoice)
        if not existing.corrected_invoices.exists():
            _store_corrected(existing, invoice)
    if ksef_number and not existing.ksef_number:
        changes["ksef_number"] = ksef_number
    if not changes:
        return "unchanged"
    changes["pdf"] = ""  # the stored PDF had no verification code (or printed OFFLINE under it)
    Invoice.objects.filter(pk=existing.pk).update(**changes)
    run.to_render.append(existing.public_id)
    return "updated"


def _same(new, old):
    if isinstance(old, Decimal):
        return new is not None and Decimal(str(new)) == old
    return str(new) == str(old)


def _finish(run, result, *, rolled_back=False):
    run.result = result
    run.finished_at = timezone.now()
    if rolled_back:  # nothing of what was counted stayed
        for item in run.files:
            item.update(created=0, updated=0, unchanged=0)
    for key in ("created", "updated", "unchanged"):
        setattr(run, key, sum(item.get(key, 0) for item in run.files))
    run.error_count = run.problems.count
    run.errors = "\n".join(run.problems.report())
    run.warnings = "\n".join(run.warning_list)
