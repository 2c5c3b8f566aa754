"""Exporters, one module per target, all reading the rows of :mod:`kg.export.rows`."""
