"""The explorer: a map-and-timeline page over the public API, served by the app itself."""
