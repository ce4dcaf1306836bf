"""Job runs: the HWA master's REST client, their schemas and their store."""
