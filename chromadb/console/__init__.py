"""The web console: a browser interface served by the server at ``/``.

The front end is plain ES modules and CSS in ``static/`` (no build step, so a clean clone and
``pip install .`` ship it as package data). It talks to the public REST API, plus two routes of
its own under ``/console/api`` that the REST API has no equivalent for: the 2-D map of a
collection's embeddings, and embedding query text with the collection's recorded function.
"""

from chromadb.console.routes import register

__all__ = ["register"]
