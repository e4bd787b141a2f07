"""The kiosk when its storage cannot be written (disk full, read-only): it takes nothing it cannot keep.

A request or feedback is written before anything else happens to it; when that write fails the
kiosk does not pretend: the desk forgets the request again (its ticket number too), the front tells
the shopper to go to the service desk, and staff get a storage alert. From then on every tick tries
a probe write; once one succeeds the kiosk takes requests again and tells staff so. While it is
unwritable a new request is refused before the desk sees it.

Touches the data dir (a probe file written and removed) and the transport (the storage alerts). An
alert about the disk cannot wait in an outbox on that disk: when the outbox cannot keep it, it goes
straight to the broker link behind the outbox (QoS 1, held in memory only).
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from core import wire
from core.desk import Desk
from core.model import LocalError
from shell.ports import Clock, StoreError, Transport, TransportError

log = logging.getLogger(__name__)

PROBE = ".storage-probe"
# A probe that fits says a few records fit too: one small request is well under this.
PROBE_BYTES = 16 * 1024


# A disk that is full, over quota, read-only or failing: what a write on it raises besides StoreError
# (a library that lets the OS's error through, e.g. the retention marker of the log).
UNWRITABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})
WRITE_ERRORS = (StoreError, OSError)


def cannot_write(exc: BaseException) -> bool:
    """Whether `exc` says the storage cannot be written (another OSError, e.g. of a socket, is not ours)."""
    return isinstance(exc, StoreError) or (isinstance(exc, OSError) and exc.errno in UNWRITABLE)


class StorageUnwritable(LocalError):
    """The request or feedback was not kept: the storage cannot be written. The shopper goes to the service desk."""


def probe_write(folder: Path) -> str | None:
    """None when `folder` takes PROBE_BYTES now (written, synced and removed), else why not."""
    probe = folder / PROBE
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"{folder}: {exc.strerror or exc}"
    finally:
        with suppress(OSError):  # never made, or the folder is gone: the next probe says so
            os.unlink(probe)
    return None


class WatchedLog:
    """The event log, noting whether a write of it failed (the desk is then put back)."""

    def __init__(self, inner: Any, watch: StorageWatch) -> None:
        self._inner = inner
        self._watch = watch

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not name.startswith("append_"):
            return attribute

        def append(record: Any) -> None:
            try:
                attribute(record)
            except WRITE_ERRORS as exc:
                self._watch.log_failed = cannot_write(exc)
                raise

        return append


class StorageWatch:
    def __init__(
        self, desk: Desk, kiosk_id: str, store_id: str, transport: Transport, clock: Clock, data_dir: Path | None
    ) -> None:
        self.desk = desk
        self.kiosk_id = kiosk_id
        self.store_id = store_id
        self.transport = transport
        self.clock = clock
        self.data_dir = data_dir  # None: nothing to probe; a failed write is retried by the next request
        self.trouble: str | None = None  # why the storage cannot be written, None while it can
        self.log_failed = False
        # (writable, detail) when it goes wrong or comes right again: the fronts say so
        self.listeners: list[Callable[[bool, str], None]] = []
        self.resumed_listeners: list[Callable[[], None]] = []  # the service publishes what waited

    @classmethod
    def attach(cls, service: Any) -> StorageWatch:
        """Watch a KioskService's storage (its event log's folder is probed): its log writes are watched,
        taking a request or feedback goes through `taking`, its tick probes too, and once the storage
        takes writes again it publishes the open requests' states (one kept while its message could not be queued)."""
        watch = cls(
            service.desk,
            service.kiosk_id,
            service.store_id,
            service.transport,
            service.clock,
            getattr(service.event_log, "data_dir", None),
        )
        service.event_log = WatchedLog(service.event_log, watch)
        for name in ("request_help", "give_feedback"):
            setattr(service, name, watch._taken(getattr(service, name)))
        # A staff action from a pager, an escalation due: not kept, so not done; tried again when it comes again.
        service.on_message = watch._kept(service.on_message)
        tick = watch._kept(service.tick)

        def ticked() -> None:
            watch.tick()
            tick()

        service.tick = ticked
        watch.resumed_listeners.append(service.restore_retained)
        return watch

    def _taken(self, take: Callable[..., Any]) -> Callable[..., Any]:
        def taken(*args: Any, **kwargs: Any) -> Any:
            with self.taking():
                return take(*args, **kwargs)

        return taken

    def _kept(self, work: Callable[..., None]) -> Callable[..., None]:
        """`work` with the desk put back when what it did could not be written (logged once, not raised)."""

        def kept(*args: Any) -> None:
            saved = self._saved()
            self.log_failed = False
            try:
                work(*args)
            except WRITE_ERRORS as exc:
                if not cannot_write(exc):
                    raise
                if self.log_failed:
                    vars(self.desk).update(saved)
                self._went_wrong(str(exc))

        return kept

    def _saved(self) -> dict[str, Any]:
        """The desk's own tables, copied two levels deep: what handling one event adds to or changes in them."""
        saved = {}
        for name, value in vars(self.desk).items():
            if isinstance(value, dict):
                value = {
                    key: (inner.copy() if isinstance(inner, (set, list, dict)) else inner)
                    for key, inner in value.items()
                }
            saved[name] = value
        return saved

    @contextmanager
    def taking(self) -> Iterator[None]:
        """Around taking a request or feedback: refused while unwritable; on a failed write the
        desk is put back as it was (nothing taken) and StorageUnwritable raised."""
        if self.trouble is not None and not self.tick():
            raise StorageUnwritable(f"storage cannot be written: {self.trouble}")
        saved = self._saved()
        self.log_failed = False
        try:
            yield
        except WRITE_ERRORS as exc:
            if not cannot_write(exc):
                raise
            if self.log_failed:
                vars(self.desk).update(saved)  # not on disk: not taken
            # Else it is on disk but its message could not be queued: it stays open and is sent once
            # writes work again; the shopper is still sent to the desk, as the ticket could not be given.
            self._went_wrong(str(exc))
            raise StorageUnwritable(f"not kept: {exc}" if self.log_failed else f"kept, not sent yet: {exc}") from exc

    def tick(self) -> bool:
        """While unwritable: try a probe write; True once the storage takes writes again."""
        if self.trouble is None:
            return True
        if self.data_dir is None:
            return False
        problem = probe_write(self.data_dir)
        if problem is not None:
            return False
        log.warning("storage of %s can be written again: taking requests", self.kiosk_id)
        self.trouble = None
        self._alert(True, "storage can be written again: taking requests")
        for listener in list(self.resumed_listeners):
            listener()
        return True

    def _went_wrong(self, detail: str) -> None:
        first = self.trouble is None
        self.trouble = detail
        if first:
            log.error("storage cannot be written, sending shoppers to the service desk: %s", detail)
            self._alert(False, detail)

    def _alert(self, writable: bool, detail: str) -> None:
        topic = wire.alert_topic(self.store_id, self.kiosk_id)
        payload = wire.encode_storage_alert(self.kiosk_id, writable, detail, self.clock.now())
        try:
            self.transport.publish(topic, payload)
        except StoreError:
            link = getattr(self.transport, "transport", None)  # the outbox's own broker link
            if link is not None:
                try:
                    link.publish(topic, payload)
                except TransportError as exc:
                    log.error("storage alert not sent: %s", exc)
        except TransportError as exc:
            log.error("storage alert not sent: %s", exc)
        for listener in list(self.listeners):
            listener(writable, detail)
