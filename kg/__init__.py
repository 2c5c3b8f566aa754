"""kg: an offline knowledge-graph builder for research literature."""
__version__ = "0.1.0"
