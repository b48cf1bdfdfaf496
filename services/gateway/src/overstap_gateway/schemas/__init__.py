"""REST request and response models (the public contract, versioned under /v1)."""
