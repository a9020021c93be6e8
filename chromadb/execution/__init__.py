"""Query plans of the Search API (the module path real Chroma uses)."""
