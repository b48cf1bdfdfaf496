"""Keys: envelope encryption of personal fields (per-person data keys wrapped by the deployment master key)
and Ed25519 signing of exported credentials."""
