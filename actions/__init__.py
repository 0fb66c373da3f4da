"""Custom actions for the Rasa action server, one module per family.

Nothing here may connect to a database or the network at import time: the action server imports
every module of this package when it starts. Safety replies never depend on this server.
"""
