"""The browser UI of `armstrace serve`: built assets in static/, sources in frontend/."""
