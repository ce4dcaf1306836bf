"""What can go wrong talking to the HWA master's REST API; each message says what to do."""


class HwaError(Exception):
    """The master's REST API could not answer the request; the message says what to do."""


class HwaAuthError(HwaError):
    """The master refused the credentials (401) or the user's rights (403)."""


class HwaUnavailable(HwaError):
    """The master did not answer: connection refused, TLS failure, timeout or a 5xx."""


class HwaResponseError(HwaError):
    """The master answered something this client cannot read."""
