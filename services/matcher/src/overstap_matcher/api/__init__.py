"""The matcher's gRPC face: request validation, domain calls, proto conversion."""
