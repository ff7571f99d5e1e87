"""Errors that the CLI turns into one clear line and a non-zero exit."""


class RatsinfoError(Exception):
    """A user-facing failure: the message is shown as is, without a traceback."""


class NotFound(RatsinfoError):
    """A paper, watch or other named thing does not exist."""


class ParseError(RatsinfoError):
    """Input that is not what its reader expected (not a paper page, bad JSON, …)."""


class FetchError(RatsinfoError):
    """An HTTP request failed for good (after retries)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status
