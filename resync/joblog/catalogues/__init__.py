"""Catalogues of messages and codes that name a failure class, each kept as data with its source."""
