"""`ground tlm --port URL [--once] [--json]`: print housekeeping."""

import json
import sys
import time

from .. import exitcodes, fields
from ..cli import UsageError
from ._common import add_port_options, guard, open_station


def register(subparsers) -> None:
    parser = subparsers.add_parser("tlm", help="print housekeeping telemetry",
                                   description="Print housekeeping with units and limit states. "
                                   "--once asks every structure for one report and exits; otherwise "
                                   "reports are printed as they arrive until Ctrl-C.")
    add_port_options(parser)
    parser.add_argument("--once", action="store_true", help="one report of each structure, then exit")
    parser.add_argument("--sid", type=int, action="append", help="only this structure (repeatable)")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of text")
    parser.set_defaults(run=guard(run))


def _print(dictionary, sid: int, values: dict, as_json: bool, onboard: float | None) -> None:
    if as_json:
        print(json.dumps({"sid": sid, "time": onboard, "values": values}), flush=True)
        return
    component = next(c.name for c in dictionary.components if c.sid == sid)
    print(f"== {component} (sid {sid})")
    for name, value in values.items():
        parameter = dictionary.parameters[name]
        state = "nominal" if isinstance(value, str) else parameter.limit_state(value)
        shown = fields.shown(parameter, value, with_unit=False)    # reason names, flag names, dates
        flag = "" if state == "nominal" else f"  [{state.upper()}]"
        print(f"  {name:<20} {shown:>14} {parameter.unit:<5}{flag}")
    sys.stdout.flush()


def run(args) -> int:
    from fsw.dictionary import load
    dictionary = load()
    sids = args.sid or sorted(dictionary.structures)
    for sid in sids:
        if sid not in dictionary.structures:
            raise UsageError(f"no housekeeping structure {sid} (known: {', '.join(map(str, sorted(dictionary.structures)))})")
    with open_station(args) as gs:
        if args.once:
            for sid in sids:
                _print(dictionary, sid, gs.request_hk(sid), args.json, None)
            return 0
        def show(record):
            if record.kind == "housekeeping" and int(record.name[3:]) in sids:
                values = {n: gs.state.engineering(n, raw) for n, raw in record.fields.items()}
                _print(dictionary, int(record.name[3:]), values, args.json, record.time)
        gs.session.listeners.append(show)
        while gs.session.connected and not gs.session.output_closed:
            time.sleep(0.2)
        if gs.session.output_closed:
            raise BrokenPipeError("stdout closed")      # main() ends quietly
        if gs.session.link_error is not None:
            return exitcodes.USAGE           # the session has said `link lost` and why
    return 0
