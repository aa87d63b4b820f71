"""Demo data: a realistic billing export of both regions, its KSeF XML, and the demo logins.

- ``export``: ``DemoExport``, the generator of customers, points, readings, invoices and payments;
- ``names``: the towns, streets and names it draws from;
- ``files``: ``ExportWriter``, the six CSV files of the contract;
- ``fa3``: ``KsefWriter``, the FA(3) XML of every invoice with a KSeF number;
- ``logins``: the demo customer of each region and the lines ``make run`` prints.

``manage.py demo_data`` puts them together.
"""

from customers.demo.export import Account, DemoExport, add_months
from customers.demo.files import ExportWriter

__all__ = ["Account", "DemoExport", "ExportWriter", "add_months"]
