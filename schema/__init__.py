"""schema/ is the package kg.schema_data inside kg (pyproject.toml says why): kg reads it with importlib.resources."""
