"""The one domain error type services raise; the API turns it into the one JSON error shape."""


class ApplicationError(Exception):
    """A business-rule failure. `status` is the HTTP status the API answers with."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        status: int = 400,
        fields: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields = fields or {}
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """A transition that is not allowed from the current state (HTTP 409)."""

    def __init__(self, message: str, *, current_state: str, code: str = "invalid_transition"):
        super().__init__(message, code=code, status=409, extra={"current_state": current_state})
