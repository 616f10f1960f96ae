"""The callback queue: callbacks owed to callers, and marking them done or failed."""
