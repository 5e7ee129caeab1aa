"""The lists of names: file schema and loaders with validation, compiled arrays, candidate
indexes, importers.  Knows nothing of the text being checked."""
