"""`./kindred <command>`: the one entry point for people and CI."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from launcher.paths import RASA_PY, ROOT


def cmd_setup(_: argparse.Namespace) -> int:
    """Build the offline spaCy pipeline, the ONNX sentence encoder and the word table (the shell wrapper has made
    the environments)."""
    from launcher.setup import build_sentence_encoder, build_spacy_model, build_word_table

    build_spacy_model()
    build_sentence_encoder()
    build_word_table()
    return 0


def cmd_train(_: argparse.Namespace) -> int:
    """Train if config, domain or data changed."""
    from launcher.training import ensure_trained

    print(ensure_trained())
    return 0


def cmd_run(_: argparse.Namespace) -> int:
    """Start the assistant and keep it running until Ctrl-C."""
    from launcher.stack import Stack
    from launcher.training import ensure_trained

    model = ensure_trained()
    stack = Stack(model, announce=True)
    s = stack.settings
    print(f"kindred: starting {len(stack.children)} processes; logs in {stack.log_dir}", flush=True)
    try:
        seconds = stack.start()
    except RuntimeError as error:
        print(f"kindred: could not start: {error}", file=sys.stderr)
        return 1
    print(
        f"\nkindred: ready in {seconds:.1f} s\n"
        f"  web chat        {s.gateway_url}/\n"
        f"  staff console   {s.gateway_url}/staff (add a user: ./kindred staff add-user NAME --role staff)\n"
        f"  health          {s.gateway_url}/health\n"
        + "".join(f"  rasa            {url} (REST on 127.0.0.1)\n" for url in s.rasa_urls)
        + f"  action server   http://127.0.0.1:{s.action_port}\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    return stack.watch()


def cmd_rasa(args: argparse.Namespace) -> int:
    """Pass a command through to Rasa in its own environment."""
    from launcher.training import rasa_env

    return subprocess.call([str(RASA_PY), "-m", "rasa", *args.rest], cwd=ROOT, env=rasa_env())


def cmd_test(args: argparse.Namespace) -> int:
    """Lint, validate, train, Rasa test stories, pytest (unit, end to end, browser, scale-out)."""
    from launcher.testing import run_all

    return run_all(args.pytest_args)


def cmd_triage(_: argparse.Namespace) -> int:
    """Triage messages from stdin, one per line, to JSON lines on stdout."""
    from launcher.training import ensure_trained, rasa_env

    model = ensure_trained(quiet=True)
    return subprocess.call([str(RASA_PY), "-m", "nlu.triage_cli", str(model)], cwd=ROOT, env=rasa_env())


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate triage on the held-out file, or the intent classifier by cross-validation."""
    from launcher.eval_triage import cross_validate, evaluate_triage
    from launcher.evaluate import evaluate_nlu

    if args.what == "nlu":
        return evaluate_nlu(args.folds)
    if args.what == "search":
        from launcher.eval_search import evaluate_search

        return evaluate_search(args.feed, args.judgements, show=args.show)
    if args.what == "conversations":
        from launcher.eval_conversations import evaluate_conversations

        # --file works too when given (its default is the triage corpus, not journeys).
        journeys = args.journeys or (args.file if args.file != args.triage_file else None)
        return evaluate_conversations(journeys, journey_id=args.journey, show=args.show)
    if args.cv:
        return cross_validate()
    return evaluate_triage(args.file, gateway=args.gateway, perturb=not args.no_perturb)


def cmd_db(args: argparse.Namespace) -> int:
    """Bring the database schema up to date (DATABASE_URL)."""
    import settings as settings_module
    from database import make_engine, upgrade

    config = settings_module.load()
    config.var.mkdir(parents=True, exist_ok=True)
    engine = make_engine(config.app_database_url)
    upgrade(engine)
    engine.dispose()
    print("kindred: the database schema is up to date")
    return 0


def cmd_directory(args: argparse.Namespace) -> int:
    """Import, export and count the community directory."""
    from directory.cli import main as directory_main

    return directory_main(args.rest)


def cmd_staff(args: argparse.Namespace) -> int:
    """Console accounts and the retention purge."""
    from bot.staff.cli import main as staff_main

    return staff_main(args.rest)


def cmd_bench(args: argparse.Namespace) -> int:
    """Benchmarks: turn latency against a bare `rasa init` assistant, directory search, channels, triage."""
    if args.what == "directory":
        from launcher.bench_directory import bench_directory

        return bench_directory(args.services, args.runs)
    if args.what == "triage":
        from launcher.bench_triage import bench_triage

        return bench_triage(args.file, args.rounds)
    if args.what == "channels":
        from launcher.bench_channels import bench_channels

        return bench_channels(args.residents)
    from launcher.bench import bench_turns

    return bench_turns(args.conversations, args.concurrency, args.turns, args.rounds)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run a subcommand."""
    parser = argparse.ArgumentParser(prog="kindred", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create the environments and the spaCy pipeline").set_defaults(func=cmd_setup)
    sub.add_parser("train", help="train the model if anything changed").set_defaults(func=cmd_train)
    sub.add_parser("run", help="run the assistant").set_defaults(func=cmd_run)
    test = sub.add_parser("test", help="run every check")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra arguments for pytest")
    test.set_defaults(func=cmd_test)
    rasa = sub.add_parser("rasa", help="run a Rasa command", add_help=False)
    rasa.add_argument("rest", nargs=argparse.REMAINDER)
    rasa.set_defaults(func=cmd_rasa)
    sub.add_parser("triage", help="stdin lines -> JSON lines of risk triage").set_defaults(func=cmd_triage)
    ev = sub.add_parser("eval", help="evaluate triage on the held-out file, or intents by cross-validation")
    ev.add_argument("what", choices=["triage", "nlu", "search", "conversations"])
    ev.add_argument("--feed", help="search: a real ORUK feed (default: the one the judgements were written for)")
    ev.add_argument("--judgements", help="search: relevance judgements for --feed")
    ev.add_argument(
        "--show", action="store_true", help="search: list each query's first five results; conversations: transcripts"
    )
    ev.add_argument("--journeys", help="conversations: a journey file (default tests/data/journeys_dev.yml)")
    ev.add_argument("--journey", help="conversations: run only the journey with this id")
    ev.add_argument("--folds", type=int, default=5, help="nlu: cross-validation folds")
    ev.add_argument("--file", default=str(ROOT / "safety" / "corpus" / "posts_a.yml"), help="triage: a labelled file")
    ev.add_argument("--cv", action="store_true", help="triage: leave each corpus file out in turn (gateway path)")
    ev.add_argument("--gateway", action="store_true", help="triage: the gateway's safety net (no trained model)")
    ev.add_argument("--no-perturb", action="store_true", help="triage: skip the perturbation report")
    ev.set_defaults(func=cmd_eval, triage_file=ev.get_default("file"))
    db = sub.add_parser("db", help="database schema")
    db.add_argument("what", choices=["upgrade"])
    db.set_defaults(func=cmd_db)
    directory = sub.add_parser("directory", help="import, export and count the directory", add_help=False)
    directory.add_argument("rest", nargs=argparse.REMAINDER)
    directory.set_defaults(func=cmd_directory)
    staff = sub.add_parser("staff", help="staff console accounts (add-user, list, disable) and purge", add_help=False)
    staff.add_argument("rest", nargs=argparse.REMAINDER)
    staff.set_defaults(func=cmd_staff)
    bench = sub.add_parser("bench", help="benchmarks (not tests)")
    bench.add_argument("what", choices=["turns", "directory", "channels", "triage"])
    bench.add_argument(
        "--file", default=str(ROOT / "safety" / "corpus" / "posts_a.yml"), help="triage: messages to time"
    )
    bench.add_argument("--residents", type=int, default=20, help="channels: concurrent residents per channel")
    bench.add_argument("--services", type=int, default=100_000, help="directory: synthetic services")
    bench.add_argument("--runs", type=int, default=120, help="directory: runs of each search")
    bench.add_argument("-n", "--conversations", type=int, default=150)
    bench.add_argument("-c", "--concurrency", type=int, default=6)
    bench.add_argument("-t", "--turns", type=int, default=7)
    bench.add_argument(
        "-r",
        "--rounds",
        type=int,
        default=5,
        help="turns: alternating rounds of Kindred and bare; triage: passes over the file",
    )
    bench.set_defaults(func=cmd_bench)
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    from database import SchemaError
    from settings import ConfigError

    try:
        return args.func(args)
    except ConfigError as error:
        print(f"kindred: configuration problem: {error}", file=sys.stderr)
        return 2
    except SchemaError as error:
        print(f"kindred: database problem: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
