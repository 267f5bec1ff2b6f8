"""Who may write: `Authorization: Bearer <SIC_WRITE_TOKEN>`, compared in constant time.

Without a configured token the service is read-only. (What a query may reach is decided before
it runs, by graph.sparql_lexer.screen: no SERVICE, no deep nesting; graphs named in FROM are
only ever graphs of the store, graph.dataset.)
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, status
from pydantic import SecretStr

# -- writes ----------------------------------------------------------------------------------


def check_write_token(expected: SecretStr | None, given: str | None) -> None:
    """Let a write through only with the right bearer token (`given`, None when not sent).

    The comparison takes the same time wherever the first wrong character is, so the token
    cannot be guessed one character at a time from response times.

    :raises HTTPException: 403 when the service is read-only or the token is wrong, 401 when
        no bearer token was sent.
    """
    if expected is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="this service is read-only (no SIC_WRITE_TOKEN is configured)",
        )
    if not given:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="writes need an 'Authorization: Bearer <token>' header",
            headers={"WWW-Authenticate": 'Bearer realm="sic"'},
        )
    if not hmac.compare_digest(given.encode("utf-8"), expected.get_secret_value().encode("utf-8")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="wrong write token")
