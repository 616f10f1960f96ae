"""Everything about Twilio: its REST API, all through the app's one injected HttpClient, and
the signatures on its webhooks.

- signatures: check X-Twilio-Signature on every webhook with the twilio package's
  RequestValidator, behind the public URL Twilio signed (connection overrides included)
- client: credentials, the HttpClient (tests inject their own) and the REST client
- calls: a call as Twilio knows it, for reconciling stale calls
- recordings: fetch voicemail audio for the proxy route, delete expired recordings
- numbers: the number's voice settings (webhook URLs, connection overrides)
- cli: `helpline twilio configure`
"""
