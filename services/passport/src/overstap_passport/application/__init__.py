"""Use cases: each request is one unit of work that checks who is asking (ownership, consent, scopes), validates
the input (nothing is written when it is bad), changes the passport, and appends to the audit trail."""
