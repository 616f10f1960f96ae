"""Cases: matching each contact to a victim's case record, and the handler pages."""
