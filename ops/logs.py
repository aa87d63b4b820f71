"""Log lines operators can search: one JSON object per line (or key=value text in development).

Every record written while a request is handled carries that request's id (``request_id``), so a security
event, an error and the request line it happened in are found together: ops.events and ops.middleware put
it into their records, and for any other record (Django's errors) the formatter takes it from the request
being handled. Fields come from ``extra={"ebok": {...}}``. Nothing here decides what is safe to log: the
callers pass only safe values (ops.events masks e-mail addresses and drops secret-looking fields).
"""

import contextvars
import datetime
import json
import logging

request_id = contextvars.ContextVar("request_id", default=None)


def fields_of(record):
    fields = {
        "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
    }
    fields.update(getattr(record, "ebok", {}))
    if fields.get("request_id") is None:
        fields.pop("request_id", None)
        if current := request_id.get():
            fields["request_id"] = current
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a traceback goes into "exception", escaped, so it stays one line."""

    def format(self, record):
        fields = fields_of(record)
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json.dumps(fields, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a developer's console: time, level, logger, message, then the fields as key=value."""

    def format(self, record):
        fields = fields_of(record)
        head = " ".join(str(fields.pop(key)) for key in ("time", "level", "logger", "message"))
        text = " ".join(
            [head, *(f"{key}={json.dumps(value, ensure_ascii=False, default=str)}" for key, value in fields.items())]
        )
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text
