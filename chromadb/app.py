"""The server application for ``uvicorn chromadb.app:app``, configured by the environment.

Every ``Settings`` field is read from the environment variable of its name in upper case, e.g.
``IS_PERSISTENT=TRUE PERSIST_DIRECTORY=./chroma_data ALLOW_RESET=TRUE
CHROMA_SERVER_AUTH_CREDENTIALS=secret uvicorn chromadb.app:app --port 8000``.
Without ``IS_PERSISTENT`` the data lives in memory. ``chroma run`` is the simpler way.
"""

from __future__ import annotations

import logging
import os

from chromadb.config import Settings
from chromadb.server.fastapi import FastAPI

logger = logging.getLogger("chromadb")
if not logger.handlers:
    # uvicorn configures only its own loggers; without this, ours would say nothing.
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(levelname)-8s %(name)s: %(message)s"))
    logger.addHandler(_handler)
    logger.setLevel(logging.INFO)

settings = Settings()
server = FastAPI(settings)
app = server.app()
if settings.persistent():
    logger.info("Chroma data in %s", os.path.abspath(settings.persist_directory))
else:
    logger.info("Chroma data in memory (set IS_PERSISTENT=TRUE and PERSIST_DIRECTORY to keep it)")
