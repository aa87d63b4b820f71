"""A progress bar (rows/s, ETA) when the output is a terminal; silent otherwise."""

import time

from django.utils.translation import ngettext


class Progress:
    def __init__(self, stream, *, enabled=None):
        self.stream = stream
        isatty = getattr(stream, "isatty", None)
        self.enabled = enabled if enabled is not None else bool(isatty and isatty())
        self._shown = 0.0

    def start(self, name, size):
        self.name, self.size, self.started = name, max(size, 1), time.monotonic()

    def update(self, rows, position, *, force=False):
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._shown < 0.2:
            return
        self._shown = now
        elapsed = max(now - self.started, 1e-6)
        share = min(position / self.size, 1.0)
        eta = elapsed * (1 - share) / share if share else 0
        bar = "#" * int(share * 30)
        counted = ngettext("%(n)s wiersz", "%(n)s wierszy", rows) % {"n": f"{rows:>10,}".replace(",", " ")}
        self.stream.write(
            f"\r{self.name:<13} [{bar:<30}] {share:4.0%} {counted} {rows / elapsed:>9,.0f} w/s ".replace(",", " ")
            + f"ETA {int(eta) // 60}:{int(eta) % 60:02d}"
        )
        self.stream.flush()

    def finish(self, rows):
        if self.enabled:
            self.update(rows, self.size, force=True)
            self.stream.write("\n")

    def phase(self, text):
        if self.enabled:
            self.stream.write(f"{text}\n")
            self.stream.flush()
