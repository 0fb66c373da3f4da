"""The `./kindred` launcher: setup, train, run, test, triage, eval and bench."""
