"""`ground send --port URL NAME arg=value ...`: send one command and wait for its completion."""

import json
import sys

from fsw.dictionary import load

from .. import exitcodes
from ..cli import UsageError
from ..tracker import CommandError, reason_label
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
    parser.add_argument("--json", action="store_true", help="print the verification as one JSON object")
    parser.set_defaults(run=run)


def _stage_text(stage) -> str:
    text = stage.stage if stage.ok else f"{stage.stage} FAILED ({reason_label(stage.reason)})"
    if stage.stage == "progress" and stage.percent is not None:
        text += f" {stage.percent}%"
    return text


def as_json(tracked) -> dict:
    return {
        "command": tracked.name,
        "args": tracked.args,
        "request_id": tracked.request_id,
        "outcome": "timeout" if tracked.outcome == "pending" else tracked.outcome,
        "reason": reason_label(tracked.reason) if tracked.reason is not None else None,
        "stages": [{"stage": s.stage, "ok": s.ok, "reason": reason_label(s.reason) if s.reason is not None else None,
                    "step": s.step, "percent": s.percent} for s in tracked.stages],
    }


def run(args) -> int:
    dictionary = load()
    args_values = dictionary.parse_args(args.name, args.args)   # before opening anything
    command = dictionary.command(args.name)
    if command.hazardous and not args.arm:
        raise UsageError(f"{args.name} is hazardous: add --arm to send `arm` for it first")
    if args.arm and not command.hazardous:
        raise UsageError(f"{args.name} is not hazardous: --arm is only for hazardous commands")
    on_stage = None if args.json else (lambda v, s: print(f"{v.name}: {_stage_text(s)}", flush=True))
    with open_station(args) as gs:
        try:
            if args.arm:
                tracked = gs.arm_and_send(args.name, on_stage=on_stage, **args_values)
            else:
                tracked = gs.send(args.name, on_stage=on_stage, **args_values)
            status = exitcodes.OK
        except CommandError as error:
            tracked = error.verification
            status = exitcodes.for_error(error)
            if not args.json:
                print(f"ground send: {error}", file=sys.stderr)
    if args.json:
        print(json.dumps(as_json(tracked), default=str))
    return status
