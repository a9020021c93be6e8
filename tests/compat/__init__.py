"""Official Chroma clients (npm and PyPI), unmodified, against our server."""
