"""Taxonomy domain logic: the catalogue of concepts, label search and scheme mappings (no I/O, no gRPC)."""
