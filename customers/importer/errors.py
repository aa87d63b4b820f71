"""Problems found in a run, reported as `file:line: column: message`: the first 100, then a count."""

from django.utils.translation import ngettext

LIMIT = 100


class Problems:
    def __init__(self, limit=LIMIT):
        self.limit = limit
        self.first = []
        self.count = 0

    def __bool__(self):
        return self.count > 0

    def add(self, name, line, column, message):
        self.count += 1
        if len(self.first) < self.limit:
            self.first.append(f"{name}:{line}: {column}: {message}")

    def add_uncounted(self, number):
        """Problems that were counted but not fetched (beyond the first ones)."""
        self.count += number

    def report(self):
        lines = list(self.first)
        if self.count > len(self.first):
            more = self.count - len(self.first)
            lines.append(
                ngettext(
                    "… i %(n)d kolejny błąd (razem %(total)d).", "… i %(n)d kolejnych błędów (razem %(total)d).", more
                )
                % {"n": more, "total": self.count}
            )
        return lines
