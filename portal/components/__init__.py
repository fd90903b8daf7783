"""Components shared by the pages: charts, filters and figure styling."""
