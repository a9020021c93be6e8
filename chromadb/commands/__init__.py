"""Subcommands of the ``chroma`` command line, one module each with a ``register(subparsers)``."""
