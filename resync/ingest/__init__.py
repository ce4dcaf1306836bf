"""The FTA metrics contract: payload, batch decoding, the inbox, the history schema."""
