"""How names are written and sound: tokens, titles and particles, the phonetic alignment, the
common-word table.  Knows nothing of gazetteers, spaCy or files."""
