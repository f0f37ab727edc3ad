"""Work handed to the process that holds the database: a local socket, its record and its token.

DuckDB lets one process open a database file. While the dashboard runs it is that process, so
a command (a cron job's import, a backup, `check`) asks the dashboard to do its work instead of
opening the file: the dashboard runs it through its own gateway (the one write lock, the audit,
the data version every open page caches on) and sends back what it printed and its exit code.

    dashboard                                    command line
    Listener(database, handle).start()           record = find(database)
      socket  <runtime dir>/tandem-PID-x.sock      None: nobody takes commands -> open the file
      record  <database file>.handoff              else call(record, request) -> response
      handle(request) -> response, per request in a thread of its own

Security (README, "While the dashboard runs"): the socket is a Unix-domain socket in a
directory only the dashboard's user can enter (0700, refused when it is not that user's or
others may enter it), the socket itself 0600; the record, which names the socket and holds a
random token, is 0600 too. A request must carry the token (compared in constant time), and on
Linux the peer's uid (SO_PEERCRED) must be the dashboard's own or root's. So whoever can send
work to the dashboard could already read and write its database file; nothing listens on the
network.

Nothing here knows DuckDB: `database` is the file path (or, for a store without one, any
identifier: the record then lives in the runtime directory), and what a request does is the
`handle` function's business (lib.cli.handoff).
"""
from __future__ import annotations

import atexit
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import struct
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from lib.errors import DatabaseBusy, TandemError

log = logging.getLogger("tandem.handoff")

PROTOCOL = 1
RECORD_SUFFIX = ".handoff"
MAX_REQUEST = 1 << 20          # a request is a command line and a few values, never a file's content
CONNECT_SECONDS = 5
REQUEST_SECONDS = 30           # a connected caller has this long to send its request


class HandoffUnavailable(TandemError):
    """The dashboard cannot take commands (no private directory for its socket, no record)."""
    title = "Commands cannot be handed to the dashboard"


class Unreachable(Exception):
    """A record whose dashboard does not answer (it was killed): nobody takes commands."""


class Lost(TandemError):
    """The dashboard stopped (or dropped the connection) before it answered."""
    title = "The dashboard stopped"


@dataclass(frozen=True)
class Record:
    """What a running dashboard writes beside its database so that commands can find it."""
    pid: int
    uid: int
    socket: str
    token: str
    database: str            # the database's real path (or identifier)
    started: str             # ISO time
    protocol: int = PROTOCOL

    def describe(self) -> str:
        """'the dashboard (PID 4242, started 2026-11-25 08:00)'"""
        return f"the dashboard (PID {self.pid}, started {self.started[:16].replace('T', ' ')})"


# ---------------------------------------------------------------------------- where things are

def identity(database: str) -> str:
    """The one name of a database, however it was spelled (a file's real path)."""
    return database if "://" in database else os.path.realpath(database)


def runtime_dir() -> Path:
    """A directory only this user may enter, for sockets: $XDG_RUNTIME_DIR/tandem, else
    <tmp>/tandem-<uid>. Refused (HandoffUnavailable) when it is someone else's or open to others."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    path = Path(base) / "tandem" if base and Path(base).is_dir() else \
        Path(tempfile.gettempdir()) / f"tandem-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(path)
    except OSError as e:
        raise HandoffUnavailable(f"{path} cannot be created ({e.strerror}).") from e
    import stat
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise HandoffUnavailable(f"{path} is not a private directory of this user (it must be a directory "
                                 "owned by the dashboard's user with mode 0700); remove it or fix its owner "
                                 "and mode, then restart the dashboard.")
    return path


def record_path(database: str) -> Path:
    """Where the record of the dashboard on `database` is: beside a database file, else in the
    runtime directory under a hash of the identifier."""
    ident = identity(database)
    if "://" in ident:
        return runtime_dir() / (hashlib.sha256(ident.encode()).hexdigest()[:24] + RECORD_SUFFIX)
    return Path(ident + RECORD_SUFFIX)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:          # someone else's process: alive
        return True
    return True


def _owner(path: Path) -> str:
    try:
        import pwd
        return pwd.getpwuid(path.stat().st_uid).pw_name
    except (ImportError, KeyError, OSError):
        return "another user"


def find(database: str) -> Record | None:
    """The record of the dashboard running on `database`, or None when none runs (no record, or
    its process is gone). A record this user may not read belongs to a dashboard run by another
    user: refused (DatabaseBusy), since that dashboard holds the file and takes nothing from here."""
    path = record_path(database)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        record = Record(**{k: data[k] for k in Record.__dataclass_fields__ if k in data})
    except FileNotFoundError:
        return None
    except PermissionError:
        user = _owner(path)
        raise DatabaseBusy(f"The database {database} is held by a dashboard that user {user} runs (its record "
                           f"{path} is readable by that user only). Run the command as that user, e.g. "
                           f"`sudo -u {user} python -m lib ...`.") from None
    except (OSError, ValueError, TypeError, KeyError):
        return None                  # half written or damaged: nobody can use it
    if record.database != identity(database) or not _alive(record.pid) or not Path(record.socket).exists():
        return None
    return record


# ---------------------------------------------------------------------------- messages on the socket

def _send(sock: socket.socket, message: dict) -> None:
    data = json.dumps(message, ensure_ascii=False).encode("utf-8")
    sock.sendall(struct.pack(">Q", len(data)) + data)


def _receive_exactly(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionResetError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _receive(sock: socket.socket, limit: int | None = None) -> dict:
    (n,) = struct.unpack(">Q", _receive_exactly(sock, 8))
    if limit is not None and n > limit:
        raise ValueError(f"a message of {n:,} bytes (at most {limit:,})")
    message = json.loads(_receive_exactly(sock, n).decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("a message is a JSON object")
    return message


def call(record: Record, request: dict) -> dict:
    """Send `request` to the dashboard of `record` and wait for its answer (as long as the work
    takes). Unreachable when nothing listens on its socket (a killed dashboard's record); Lost when
    the dashboard stopped before it answered."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_SECONDS)
        try:
            sock.connect(record.socket)
        except (FileNotFoundError, ConnectionRefusedError, socket.timeout) as e:
            raise Unreachable(str(e)) from e
        sock.settimeout(None)
        try:
            _send(sock, {**request, "protocol": PROTOCOL, "token": record.token})
            return _receive(sock)
        except (OSError, ValueError) as e:
            raise Lost(f"{record.describe()} stopped before it answered ({e}).") from e
    finally:
        sock.close()


# ---------------------------------------------------------------------------- the dashboard's side

def _peer_uid(conn: socket.socket) -> int | None:
    """The connecting process's uid (Linux SO_PEERCRED), or None where the system cannot say."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    try:
        _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    except OSError:
        return None
    return uid


class Listener:
    """Takes requests for `database` on a private socket and answers each with `handle(request)`,
    each in a thread of its own, until closed (at the latest when the process exits)."""

    def __init__(self, database: str, handle: Callable[[dict], dict]):
        self.database = identity(database)
        self.handle = handle
        self.token = secrets.token_urlsafe(32)
        self.record_file = record_path(database)
        self.socket_path: Path | None = None
        self._sock: socket.socket | None = None
        self._closed = threading.Event()
        self.running: dict[int, str] = {}        # thread id -> what it runs (for status)
        self.answered = 0                        # requests answered

    def start(self) -> "Listener":
        if not hasattr(socket, "AF_UNIX"):
            raise HandoffUnavailable("this system has no Unix-domain sockets.")
        directory = runtime_dir()
        _remove_stale_sockets(directory)
        self.socket_path = directory / f"tandem-{os.getpid()}-{secrets.token_hex(4)}.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(self.socket_path))
            os.chmod(self.socket_path, 0o600)
            sock.listen(16)
            self._write_record()
        except BaseException as e:
            sock.close()
            self.socket_path.unlink(missing_ok=True)
            if isinstance(e, OSError):
                raise HandoffUnavailable(f"the dashboard cannot take commands for {self.database}: "
                                         f"{e.strerror or e} ({e.filename or self.socket_path}).") from e
            raise
        self._sock = sock
        threading.Thread(target=self._serve, name="tandem-handoff", daemon=True).start()
        atexit.register(self.close)
        log.info("taking commands for %s on %s", self.database, self.socket_path)
        return self

    def record(self) -> Record:
        return Record(os.getpid(), os.getuid(), str(self.socket_path), self.token, self.database,
                      datetime.now().isoformat(timespec="seconds"))

    def _write_record(self) -> None:
        """Write the record readable by this user only, in one step (a reader never sees half of it)."""
        tmp = self.record_file.with_name(f"{self.record_file.name}.{os.getpid()}.tmp")
        self.record_file.parent.mkdir(parents=True, exist_ok=True)     # a first start: data/ is made next
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(self.record()), f, indent=1)
            os.chmod(tmp, 0o600)            # an existing file keeps its mode under O_CREAT
            os.replace(tmp, self.record_file)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                if self._closed.is_set() or self._sock.fileno() == -1:
                    return
                time.sleep(0.1)             # out of file descriptors, say: try again, without spinning
                continue
            threading.Thread(target=self._answer, args=(conn,), name="tandem-handoff-request", daemon=True).start()

    def _refusal(self, conn: socket.socket, request: dict) -> str | None:
        if not hmac.compare_digest(str(request.get("token", "")), self.token):
            return "not authorised: the request does not carry this dashboard's token."
        uid = _peer_uid(conn)
        if uid is not None and uid not in (os.getuid(), 0):
            return "not authorised: only the dashboard's own user (or root) may hand it commands."
        if request.get("protocol") != PROTOCOL:
            return (f"the request speaks handoff protocol {request.get('protocol')!r}, this dashboard {PROTOCOL}: "
                    "restart the dashboard after updating Tandem.")
        return None

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(REQUEST_SECONDS)
                request = _receive(conn, MAX_REQUEST)
            except (OSError, ValueError) as e:
                log.warning("an unreadable request was dropped (%s)", e)
                return
            refusal = self._refusal(conn, request)
            if refusal:
                log.warning("a request was refused: %s", refusal)
                response = {"ok": False, "error": refusal}
            else:
                conn.settimeout(None)
                me = threading.get_ident()
                self.running[me] = " ".join(str(a) for a in request.get("argv", [request.get("op", "?")]))
                try:
                    response = self.handle(request)
                    if request.get("op") == "status":      # what the listener itself knows
                        response = {**response, "running": [w for t, w in self.running.items() if t != me],
                                    "answered": self.answered}
                except Exception as e:  # noqa: BLE001 - the dashboard keeps serving; the caller hears why
                    log.exception("a handed-over command failed")
                    response = {"ok": False, "error": f"the dashboard could not run it ({type(e).__name__}: {e})."}
                finally:
                    self.running.pop(me, None)
                    self.answered += 1
            try:
                _send(conn, response)
            except OSError:
                log.info("a command's caller left before its answer was sent")

    def close(self) -> None:
        """Stop taking requests; remove the socket and (if it is still this listener's) the record."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)
        try:
            if json.loads(self.record_file.read_text(encoding="utf-8")).get("token") == self.token:
                self.record_file.unlink(missing_ok=True)
        except (OSError, ValueError):
            pass


def _remove_stale_sockets(directory: Path) -> None:
    """Sockets left by dashboards that were killed (their PID is in the name and gone)."""
    for p in directory.glob("tandem-*.sock"):
        try:
            pid = int(p.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            p.unlink(missing_ok=True)
