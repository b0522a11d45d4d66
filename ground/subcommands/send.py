"""`ground send NAME arg=value ...`: send one command and wait for its completion.

Attached to a server (--server or $PERIJOVE_SERVER) it asks the server to send the command and
prints the stages the server streams back, loading nothing else: a command line that starts fast.
"""

import json
import sys

from .. import exitcodes
from ..cli import UsageError
from ._common import add_port_options, open_station


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "send", help="send a command and wait for its completion",
        description="Send one command and wait for its PUS-1 completion report. Exit status: "
        "0 completed, 2 bad command line or port, 3 rejected, 4 failed in execution, 5 timed out.")
    add_port_options(parser)
    parser.add_argument("name", metavar="NAME", help="command name (see `ground dict`)")
    parser.add_argument("args", nargs="*", metavar="ARG=VALUE", help="command arguments")
    parser.add_argument("--arm", action="store_true", help="for a hazardous command: send `arm` for it first")
    parser.add_argument("--bypass", action="store_true",
                        help="send as a Type-BD frame, past COP-1's sequence control (emergencies: "
                        "the FOP is suspended or the board in Lockout)")
    parser.add_argument("--json", action="store_true", help="print the verification as one JSON object")
    parser.set_defaults(run=run)


def stage_text(stage: dict) -> str:
    """A stage as a person reads it: its name, FAILED with the reason, or the progress."""
    text = stage["stage"] if stage["ok"] else f"{stage['stage']} FAILED ({stage['reason']})"
    if stage["stage"] == "progress" and stage.get("percent") is not None:
        text += f" {stage['percent']}%"
    return text


def outcome_text(outcome: dict, stages: list[dict]) -> str:
    if outcome["outcome"] == "timeout":
        last = stages[-1]["stage"] if stages else "no report"
        return f"{outcome['command']}: timed out (last: {last})"
    if outcome["outcome"] == "completed":
        return f"{outcome['command']}: completed"
    return f"{outcome['command']}: {outcome['outcome']} ({outcome['reason']})"


def run(args) -> int:
    from ..client import server_url

    url = server_url(args.server)
    if args.port is None and url is not None:
        return _through_server(args, url)
    return _on_own_port(args)


def _through_server(args, url: str) -> int:
    from ..client import request

    body = {"name": args.name, "words": args.args, "arm": args.arm, "follow": True, "timeout": args.timeout,
            "person": True, "bypass": args.bypass}
    response = request(url, "POST", "/api/commands", body, args.token, timeout=args.timeout + 30)
    stages: dict[int, list[dict]] = {}
    outcomes = []
    for line in response:
        item = json.loads(line)
        if "outcome" in item:
            outcomes.append(item)
            continue
        stages.setdefault(item["request_id"], []).append(item)
        if not args.json:
            print(f"{item['command']}: {stage_text(item)}", flush=True)
    if not outcomes:
        raise UsageError(f"{url}: the server ended the reply without an outcome")
    # an arm that failed decides the outcome; else the command's own
    final = next((o for o in outcomes if o["outcome"] != "completed"), outcomes[-1])
    mine = stages.get(final["request_id"], [])
    if args.json:
        print(json.dumps({**final, "stages": [{k: s[k] for k in ("stage", "ok", "reason", "step", "percent")}
                                              for s in mine]}))
    elif final["outcome"] != "completed":
        print(f"ground send: {outcome_text(final, mine)}", file=sys.stderr)
    return exitcodes.FOR_OUTCOME[final["outcome"]]


def _on_own_port(args) -> int:
    from fsw.dictionary import load

    from ..tracker import CommandError, reason_label

    dictionary = load()
    args_values = dictionary.parse_args(args.name, args.args)   # before opening anything
    command = dictionary.command(args.name)
    if command.hazardous and not args.arm:
        raise UsageError(f"{args.name} is hazardous: add --arm to send `arm` for it first")
    if args.arm and not command.hazardous:
        raise UsageError(f"{args.name} is not hazardous: --arm is only for hazardous commands")

    def as_stage(stage) -> dict:
        return {"stage": stage.stage, "ok": stage.ok, "step": stage.step, "percent": stage.percent,
                "reason": reason_label(stage.reason) if stage.reason is not None else None}

    on_stage = None if args.json else (lambda v, s: print(f"{v.name}: {stage_text(as_stage(s))}", flush=True))
    with open_station(args) as gs:
        try:
            if args.arm:
                tracked = gs.arm_and_send(args.name, on_stage=on_stage, bypass=args.bypass, **args_values)
            else:
                tracked = gs.send(args.name, on_stage=on_stage, bypass=args.bypass, **args_values)
            status = exitcodes.OK
        except CommandError as error:
            tracked = error.verification
            status = exitcodes.for_error(error)
            if not args.json:
                print(f"ground send: {error}", file=sys.stderr)
    if args.json:
        print(json.dumps({
            "command": tracked.name, "args": tracked.args, "request_id": tracked.request_id,
            "outcome": "timeout" if tracked.outcome == "pending" else tracked.outcome,
            "reason": reason_label(tracked.reason) if tracked.reason is not None else None,
            "stages": [as_stage(s) for s in tracked.stages],
        }, default=str))
    return status
