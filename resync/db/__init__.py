"""Application database: engine and sessions, query frames, the tables by domain."""
