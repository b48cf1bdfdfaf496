"""Clients of the other services this one calls (over gRPC, with deadlines)."""
