"""viz/ is the package kg.viz_data inside kg (pyproject.toml says why): kg reads it with importlib.resources."""
