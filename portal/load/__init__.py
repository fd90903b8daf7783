"""Load: published data packages → the portal's database (the only data the portal reads)."""
