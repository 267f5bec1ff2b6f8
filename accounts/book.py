"""The account book: accounts, API tokens and sign-in sessions in one SQLite file.

SQLite because it is embedded (no server to run beside the store), transactional, and safe to
share between the service and `sic users` running at the same time (write-ahead log, a busy
timeout). Each operation opens its own connection: a connection costs well under a millisecond,
and the service's event loop, its threads and the CLI never share one.

Secrets are stored only as digests: passwords as argon2id hashes (accounts.passwords), API
tokens and session ids as SHA-256 digests (they are long random strings, so a fast digest is
enough: nothing to guess). Whoever reads the file cannot sign in nor replay a session. The file
is created by `sic users add` with mode 0600; the service never creates it (without it the
service has no accounts, only the service token).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from accounts.passwords import hash_password, needs_rehash, verify_password
from accounts.roles import Account, Role, Scope, check_scope

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  objective TEXT,
  region TEXT,
  organisation TEXT,
  person TEXT,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
  id INTEGER PRIMARY KEY,
  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  digest TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  digest TEXT PRIMARY KEY,
  account INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_account ON sessions(account);
"""
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-@")
TOKEN_PREFIX = "sic_"  # noqa: S105 - a prefix, not a secret
"""API tokens begin so, to be told apart from the service token (and found by secret scanners)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def check_username(username: str) -> str:
    """The username in lower case, if it is 1-64 of a-z, 0-9, '.', '_', '-', '@'.

    :raises ValueError: saying what is wrong.
    """
    name = username.strip().lower()
    if not 0 < len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise ValueError(
            f"{username!r} is not a username: 1 to 64 of a-z, 0-9 and the characters . _ - @"
        )
    return name


@dataclass(frozen=True)
class Session:
    """A signed-in browser: its account and the token its forms must carry (CSRF)."""

    account: Account
    csrf: str
    expires: float


class AccountBook:
    """The accounts of one service, in the SQLite file at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    # -- connections --------------------------------------------------------------------------

    def create(self) -> None:
        """Make the file (mode 0600, its folder if need be) and its tables, if missing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.execute("PRAGMA journal_mode = WAL")  # readers never wait for `sic users`
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection, in one transaction (committed on success, rolled back on error).

        The transaction takes the write lock at once (BEGIN IMMEDIATE): two writers wait for
        each other (up to 10 s) rather than fail half-way; readers are not held up (WAL).
        """
        if not self.exists:
            raise LookupError(f"no account database at {self.path} (make one: sic users add)")
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- accounts -----------------------------------------------------------------------------

    def add(
        self,
        username: str,
        password: str,
        role: Role,
        *,
        display_name: str | None = None,
        scope: Scope | None = None,
        person: str | None = None,
    ) -> Account:
        """Make an account (and the file, the first time).

        :raises ValueError: a bad username, role scope or password, or a username taken.
        """
        name = check_username(username)
        scope = check_scope(role, scope or Scope())
        if person is not None and not person.startswith(("http://", "https://")):
            raise ValueError(f"{person!r} is not a person IRI")
        hashed = hash_password(password)
        self.create()
        with self._connect() as db:
            try:
                db.execute(
                    "INSERT INTO accounts (username, display_name, role, objective, region,"
                    " organisation, person, password_hash, created)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        (display_name or name).strip() or name,
                        role.value,
                        scope.objective,
                        scope.region,
                        scope.organisation,
                        person,
                        hashed,
                        _now(),
                    ),
                )
            except sqlite3.IntegrityError:
                raise ValueError(f"the username {name!r} is taken") from None
        found = self.get(name)
        assert found is not None
        return found

    def get(self, username: str) -> Account | None:
        if not self.exists:
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM accounts WHERE username = ?", (username.strip(),)
            ).fetchone()
        return _account(row) if row is not None else None

    def accounts(self) -> list[tuple[Account, int]]:
        """Every account, by username, with how many API tokens it has."""
        if not self.exists:
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT a.*, (SELECT COUNT(*) FROM tokens t WHERE t.account = a.id) AS tokens"
                " FROM accounts a ORDER BY a.username"
            ).fetchall()
        return [(_account(row), int(row["tokens"])) for row in rows]

    def set_disabled(self, username: str, disabled: bool = True) -> Account:
        """Disable (or enable) an account; disabling also ends its sessions.

        Its API tokens are kept but refused while it is disabled.

        :raises LookupError: no such account.
        """
        with self._connect() as db:
            account = self._require(db, username)
            db.execute("UPDATE accounts SET disabled = ? WHERE id = ?", (int(disabled), account))
            if disabled:
                db.execute("DELETE FROM sessions WHERE account = ?", (account,))
        found = self.get(username)
        assert found is not None
        return found

    def set_password(self, username: str, password: str) -> None:
        """Replace the password and end every session of the account.

        :raises LookupError: no such account. ValueError: the password is not acceptable.
        """
        hashed = hash_password(password)
        with self._connect() as db:
            account = self._require(db, username)
            db.execute("UPDATE accounts SET password_hash = ? WHERE id = ?", (hashed, account))
            db.execute("DELETE FROM sessions WHERE account = ?", (account,))

    def authenticate(self, username: str, password: str) -> Account | None:
        """The enabled account these credentials open, else None (taking as long either way).

        A hash made with weaker parameters than today's is replaced by a new one.
        """
        stored: str | None = None
        row = None
        if self.exists:
            with self._connect() as db:
                row = db.execute(
                    "SELECT * FROM accounts WHERE username = ?", (username.strip(),)
                ).fetchone()
            stored = row["password_hash"] if row is not None else None
        if not verify_password(stored, password) or row is None or row["disabled"]:
            return None
        if stored is not None and needs_rehash(stored):
            with self._connect() as db:
                db.execute(
                    "UPDATE accounts SET password_hash = ? WHERE id = ?",
                    (hash_password(password), row["id"]),
                )
        return _account(row)

    @staticmethod
    def _require(db: sqlite3.Connection, username: str) -> int:
        row = db.execute(
            "SELECT id FROM accounts WHERE username = ?", (username.strip(),)
        ).fetchone()
        if row is None:
            raise LookupError(f"no account {username.strip()!r}")
        return int(row["id"])

    # -- API tokens ---------------------------------------------------------------------------

    def new_token(self, username: str, label: str = "") -> str:
        """A new API token for the account: returned once, stored only as its digest.

        :raises LookupError: no such account.
        """
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._connect() as db:
            account = self._require(db, username)
            db.execute(
                "INSERT INTO tokens (account, digest, label, created) VALUES (?, ?, ?, ?)",
                (account, digest(token), label.strip() or "api", _now()),
            )
        return token

    def by_token(self, token: str) -> Account | None:
        """The enabled account an API token belongs to, else None."""
        if not token.startswith(TOKEN_PREFIX) or not self.exists:
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT a.* FROM tokens t JOIN accounts a ON a.id = t.account"
                " WHERE t.digest = ? AND a.disabled = 0",
                (digest(token),),
            ).fetchone()
        return _account(row) if row is not None else None

    def revoke_tokens(self, username: str) -> int:
        """Remove every API token of the account; how many there were."""
        with self._connect() as db:
            account = self._require(db, username)
            return db.execute("DELETE FROM tokens WHERE account = ?", (account,)).rowcount

    # -- sessions -----------------------------------------------------------------------------

    def open_session(self, account: Account, lifetime: float) -> tuple[str, Session]:
        """A new session for a signed-in account: its id (for the cookie, stored only as its
        digest) and the session with its CSRF token. Expired sessions are swept here."""
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = time.time() + lifetime
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            db.execute(
                "INSERT INTO sessions (digest, account, csrf, expires) VALUES (?, ?, ?, ?)",
                (digest(session_id), account.id, csrf, expires),
            )
        return session_id, Session(account, csrf, expires)

    def session(self, session_id: str) -> Session | None:
        """The live session of an enabled account this id opens, else None."""
        if not session_id or len(session_id) > 128 or not self.exists:
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT a.*, s.csrf AS session_csrf, s.expires AS session_expires"
                " FROM sessions s JOIN accounts a ON a.id = s.account"
                " WHERE s.digest = ? AND s.expires >= ? AND a.disabled = 0",
                (digest(session_id), time.time()),
            ).fetchone()
        if row is None:
            return None
        return Session(_account(row), row["session_csrf"], float(row["session_expires"]))

    def close_session(self, session_id: str) -> None:
        if self.exists and session_id:
            with self._connect() as db:
                db.execute("DELETE FROM sessions WHERE digest = ?", (digest(session_id),))


def _account(row: sqlite3.Row) -> Account:
    return Account(
        id=int(row["id"]),
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        scope=Scope(row["objective"], row["region"], row["organisation"]),
        person=row["person"],
        disabled=bool(row["disabled"]),
        created=row["created"],
    )
