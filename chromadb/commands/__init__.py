"""Subcommands of ``chroma`` beyond ``run``, one module per family, each with ``register``."""
