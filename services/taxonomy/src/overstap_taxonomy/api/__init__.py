"""The taxonomy service's gRPC face: request validation, domain calls, proto conversion."""
