"""Subcommands of ``chroma``, one module each with a ``register(subparsers)`` function."""
