"""What Kindred remembers about a resident: profile, loneliness check-ins, suggestions, follow-ups.

Shared by the action server (which fills it from the conversation) and the gateway (which deletes
it on "forget me" and, later, shows it to staff). Keyed by the conversation id, which is Rasa's
sender id, so the profile outlives Rasa's sessions.
"""
