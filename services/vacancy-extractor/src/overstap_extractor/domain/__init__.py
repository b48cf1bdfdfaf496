"""The vacancy domain: input text rules (HTML to text, language), vacancy and skill rules, occupation guess.

No I/O here: storage, the model and gRPC sit around it."""
