"""Side-by-side benchmark of this project against real Chroma: ``python -m bench --help``."""
