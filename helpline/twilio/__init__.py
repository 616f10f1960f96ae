"""Everything that talks to Twilio's REST API, all through the app's one injected HttpClient.

- client: credentials, the HttpClient (tests inject their own) and the REST client
- calls: a call as Twilio knows it, for reconciling stale calls
- recordings: fetch voicemail audio for the proxy route, delete expired recordings
- numbers: the number's voice settings (webhook URLs, connection overrides)
- cli: `helpline twilio configure`

Webhook signatures are checked in helpline.voice.signature, with the twilio package's
RequestValidator; it reads the connection overrides from numbers.
"""
