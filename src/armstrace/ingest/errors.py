"""What a reader says about an input: a problem that made it skip something, or a notice."""

from __future__ import annotations


class InputProblem(Exception):
    """One input (or one record of it) could not be read; the rest of the batch goes on."""

    skipped = True  # the input or record named was left out

    def __init__(self, path: str, message: str, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


class InputNotice(InputProblem):
    """Something a reader changed or refused in an input it still read ("unpaired surrogates
    replaced", "entity declarations not expanded"), or a document read but not processed.
    Reported like a problem, but nothing was skipped."""

    skipped = False
