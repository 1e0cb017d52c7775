"""What a reader says when an input can't be read."""

from __future__ import annotations


class InputProblem(Exception):
    """One input (or one record of it) could not be read; the rest of the batch goes on."""

    def __init__(self, path: str, message: str, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"
