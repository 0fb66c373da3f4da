"""Start one Rasa server: `python -m launcher.rasa_server --model M --port P ...` (the launcher does this).

Rasa takes its API token only as a command-line option, where `ps` shows it to every account on the
machine. So the launcher starts Rasa through this module instead: the token is read here from the
settings (`RASA_TOKEN`, or the 0600 file `var/rasa-token`) and added to Rasa's own argument list inside
this process; the process's command line, which is what `ps` reads, never has it. Secrets are
redacted from everything Rasa logs, and the files Rasa creates are its owner's alone.

It runs in Rasa's environment, so it imports only the standard library and Kindred's `settings` and
`logfilter` (both standard library only).
"""

from __future__ import annotations

import sys

import logfilter
import settings as settings_module


def rasa_argv(arguments: list[str], token: str) -> list[str]:
    """Rasa's own command line: `rasa run`, the launcher's arguments, loopback only, and the token as
    one word ("--auth-token=…"): a generated token may begin with "-", which argparse would otherwise
    read as an option and stop Rasa from starting."""
    return ["rasa", "run", *arguments, "--interface", "127.0.0.1", f"--auth-token={token}"]


def main() -> None:
    """`rasa run` with the given arguments, the API token and the interface 127.0.0.1."""
    settings_module.private_files()
    config = settings_module.load()
    logfilter.install(config.log_secrets)
    sys.argv = rasa_argv(sys.argv[1:], config.rasa_token)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
