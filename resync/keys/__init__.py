"""API keys: the key format, the key records and their administration, usage."""
