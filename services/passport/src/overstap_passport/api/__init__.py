"""The gRPC face of the passport service: wire format in and out, status codes for domain errors."""
