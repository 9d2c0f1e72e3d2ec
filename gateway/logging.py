"""Log output as data: one JSON object per line on standard error, for every logger, uvicorn's included.

``GATEWAY_LOG_FORMAT=text`` gives a human at a terminal one readable line per record instead.
Every line of a request carries its ``request_id`` (gateway.request_ids); access lines
(gateway.access_log) add their fields as the record's ``extra``, and the JSON formatter writes every
such field, so a new field needs no change here.

``logging_config(format)`` is a ``logging.config.dictConfig`` dictionary: ``gateway serve`` hands it to
uvicorn, which applies it in every worker process, and ``configure(format)`` applies it in this one.
"""

from __future__ import annotations

import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

import orjson

from gateway import request_ids

JSON, TEXT = "json", "text"
FORMATS = (JSON, TEXT)

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is written out.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message", "taskName"}


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD and not key.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # which worker, under --workers N
        }
        rid = request_ids.current.get()
        if rid is not None:
            line["request_id"] = rid
        line.update(_extras(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value ...``: for reading, not for parsing."""

    def format(self, record: logging.LogRecord) -> str:
        rid = request_ids.current.get()
        fields = " ".join(f"{key}={value}" for key, value in _extras(record).items() if value is not None)
        text = " ".join(
            part
            for part in (
                _timestamp(record),
                f"{record.levelname:<7}",
                record.name,
                f"[{rid}]" if rid else "",
                record.getMessage(),
                fields,
            )
            if part
        )
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def logging_config(format: str = JSON, *, level: str = "INFO") -> dict[str, Any]:
    formatter = JsonFormatter if format == JSON else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"gateway": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "gateway", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level},
        # uvicorn's own loggers lose their handlers and reach the root's, so they are formatted like ours.
        "loggers": {
            name: {"handlers": [], "level": level, "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
        },
    }


def configure(format: str = JSON, *, level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(format, level=level))


__all__ = ["JSON", "TEXT", "JsonFormatter", "TextFormatter", "configure", "logging_config"]
