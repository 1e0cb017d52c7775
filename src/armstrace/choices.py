"""The closed vocabularies of claims that the command line, the API and the store share.

A module of its own, importing nothing, so that the command line can offer them as option
choices without loading the store (SQLAlchemy) when the command needs none (`extract`).
"""

CATEGORIES = ("aircraft", "drone", "missile", "air_defense", "armored_vehicle", "artillery", "ammunition",
              "small_arms", "naval", "electronics", "technology", "unspecified")
STATUSES = ("delivered", "ongoing", "agreed", "planned", "considered", "sought", "offered", "denied", "halted")
REVIEW_STATES = ("unreviewed", "accepted", "rejected", "corrected", "added", "any")
