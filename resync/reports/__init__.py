"""Reports: the rendered capacity and estate reports (`reports` rows), their API and policy."""
