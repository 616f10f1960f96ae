"""Calls: recording Twilio's events against calls and cases, and exporting them."""
