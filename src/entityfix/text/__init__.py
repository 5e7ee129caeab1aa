"""Text: bytes to text and atomic writes (document), spans never touched (skip), name mentions
(extract).  Knows nothing of scores or decisions."""
