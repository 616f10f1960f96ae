"""Closures: supervisors' overrides of the opening hours, cached for the call path."""
