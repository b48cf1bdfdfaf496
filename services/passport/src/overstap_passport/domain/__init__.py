"""Pure passport logic: no I/O, no database, no gRPC. Evidence kinds, validation phases, consent evaluation,
audit-chain hashing, input rules and the W3C Verifiable Credential / Open Badges 3.0 shapes."""
