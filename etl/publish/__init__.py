"""Publishing: deterministic files and atomic, versioned releases."""
