"""The gateway: channels (web chat now, Telegram next), the safety net, and escalations."""
