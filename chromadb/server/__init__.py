"""The chromadb server: the v1 and v2 REST API over any implementation of ``chromadb.api.API``.

Start it with ``chroma run --path ./chroma_data`` or ``uvicorn chromadb.app:app``; build the
application yourself with ``chromadb.server.fastapi.FastAPI(settings).app()``.
"""
