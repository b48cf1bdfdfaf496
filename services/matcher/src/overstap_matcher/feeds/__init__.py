"""Where the matcher's indexes get their data from other services (over gRPC, with the matcher's own identity)."""
