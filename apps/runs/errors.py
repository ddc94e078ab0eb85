class RunRefused(Exception):
    """A run that cannot start (or a step that cannot run) for a reason the user can fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
