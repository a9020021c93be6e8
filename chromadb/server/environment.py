"""The environment variables the server reads, with what each means.

One list, shown by ``chroma run --help`` and checked against the README's configuration table
and against ``Settings``' fields by the tests, so the three never disagree. Add a line here when
the server learns a new setting.
"""

from __future__ import annotations

import textwrap
from typing import Tuple

__all__ = ["SERVER_ENVIRONMENT", "environment_help"]

# (variable, meaning). Each variable is a ``Settings`` field's name in upper case.
SERVER_ENVIRONMENT: Tuple[Tuple[str, str], ...] = (
    ("ALLOW_RESET", "TRUE allows reset(), which deletes everything (off by default)"),
    (
        "CHROMA_SERVER_AUTHN_CREDENTIALS",
        "a token: requests then need 'Authorization: Bearer <token>' or 'X-Chroma-Token' "
        "(heartbeat and version stay open); a YAML list of users with tokens; or, with the "
        "basic provider, htpasswd lines user:<bcrypt hash> (or plain user:password)",
    ),
    ("CHROMA_SERVER_AUTHN_CREDENTIALS_FILE", "a file holding those credentials"),
    (
        "CHROMA_SERVER_AUTHN_PROVIDER",
        "token (the default when credentials are set) or basic; Chroma's class names work too",
    ),
    (
        "CHROMA_AUTH_TOKEN_TRANSPORT_HEADER",
        "Authorization or X-Chroma-Token: the one header a token is read from (default: both)",
    ),
    (
        "CHROMA_SERVER_AUTH_CREDENTIALS",
        "Chroma 0.4's name for the credentials (also _PROVIDER, _CREDENTIALS_FILE)",
    ),
    ("CHROMA_SERVER_CORS_ALLOW_ORIGINS", 'JSON list of browser origins allowed, e.g. ["*"]'),
    ("CHROMA_SERVER_ALLOW_RAW_SQL", "TRUE allows raw_sql over HTTP (always read-only)"),
    ("CHROMA_SERVER_MAX_BATCH_SIZE", "most records in one write"),
    ("CHROMA_SERVER_MAX_BODY_BYTES", "largest request body, in bytes"),
)


def environment_help(width: int = 79) -> str:
    """The list as the epilog of ``chroma run --help``: each name, then its meaning indented."""
    from chromadb.config import Settings

    lines = ["environment (read when the server starts):"]
    for name, meaning in SERVER_ENVIRONMENT:
        default = Settings.model_fields[name.lower()].default
        if isinstance(default, int) and not isinstance(default, bool):
            meaning = f"{meaning} (default {default})"  # numbers come from Settings, never stale
        lines.append(f"  {name}")
        lines.extend(
            textwrap.wrap(
                meaning,
                width,
                initial_indent=" " * 6,
                subsequent_indent=" " * 6,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)
