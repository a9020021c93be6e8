"""The package version and how our HTTP client names itself (a leaf: imports nothing)."""

__version__ = "1.5.0"

# The server answers a client whose User-Agent carries this mark with collections exactly as
# stored (see chromadb.server.shapes); every other client gets the shape its generation reads.
USER_AGENT_MARK = "chromadb-clean-room"


def user_agent() -> str:
    """The User-Agent our HTTP clients send."""
    return f"Chroma Python Client v{__version__} ({USER_AGENT_MARK})"
