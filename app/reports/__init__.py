"""Reports: paste a news report, get draft event records with citations."""
