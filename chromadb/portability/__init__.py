"""Bringing data in and out: importers for real Chroma folders (0.3 to 1.x), Parquet export and
import, backup and restore, vacuum, and copy between folders and servers.

Everything here talks to our database through the public client API (``Collection.add``,
``get``), so the engine's storage stays its own business.
"""
