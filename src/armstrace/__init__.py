"""armstrace: a sourced, queryable register of arms-transfer claims read from the news."""

__version__ = "0.1.0"
