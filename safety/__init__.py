"""Risk triage shared by Rasa's NLU component and the gateway's safety net.

Nothing here imports Rasa or the gateway, so both virtual environments can use it.
"""
