"""Matching: evidence features and their weights, resolve (mention to candidates), decide (to
findings).  No I/O, no output formats."""
