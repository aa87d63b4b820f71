import json
import logging

import pytest

from ops.logs import JsonFormatter


class Lines:
    """What the log says, as the JSON lines production writes (ops.logs.JsonFormatter)."""

    def __init__(self, caplog):
        self.caplog = caplog

    def all(self):
        formatter = JsonFormatter()
        return [formatter.format(record) for record in self.caplog.records]

    def parsed(self, logger=None):
        lines = [json.loads(line) for line in self.all()]
        return [line for line in lines if logger is None or line["logger"] == logger]

    def events(self, name=None):
        return [line for line in self.parsed("ebok.security") if name is None or line["event"] == name]

    def requests(self):
        return self.parsed("ebok.request")


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.DEBUG)
    return Lines(caplog)
