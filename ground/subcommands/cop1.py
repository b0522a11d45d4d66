"""`ground cop1 [DIRECTIVE [VALUE]]`: COP-1's state on a ground server, and the FOP-1 directives.

    ground cop1                   state, V(S), NN(R), queues, settings, the board's last CLCW
    ground cop1 unlock            Initiate AD with Unlock (the board's FARM is in Lockout)
    ground cop1 set-vr N          Initiate AD with Set V(R) = N
    ground cop1 init              Initiate AD without CLCW check;  init-check: with it
    ground cop1 terminate         Terminate the AD service (AD commands refused until an init)
    ground cop1 resume            Resume a suspended AD service
    ground cop1 set-vs N | window K | t1 S | limit N | timeout-type 0|1
"""

import json

from ..cli import UsageError

DIRECTIVES = ("init", "init-check", "unlock", "set-vr", "terminate", "resume", "set-vs", "window", "t1",
              "limit", "timeout-type")
WITH_VALUE = frozenset({"set-vr", "set-vs", "window", "t1", "limit", "timeout-type"})


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "cop1", help="COP-1 state and directives (FOP-1) on a ground server",
        description="Without a directive, print COP-1's state on the server. Directives: "
        + ", ".join(DIRECTIVES) + " (docs/GROUND.md, COP-1).")
    parser.add_argument("directive", nargs="?", choices=DIRECTIVES, metavar="DIRECTIVE",
                        help="one of: " + ", ".join(DIRECTIVES))
    parser.add_argument("value", nargs="?", help="the directive's value (set-vr N, window K, t1 S, ...)")
    parser.add_argument("--server", metavar="URL", help="the ground server (default $PERIJOVE_SERVER)")
    parser.add_argument("--token", metavar="TOKEN", help="the server's token (default $PERIJOVE_TOKEN)")
    parser.add_argument("--json", action="store_true", help="print the state as one JSON object")
    parser.set_defaults(run=run)


def describe(status: dict) -> str:
    state = f"S{status['state']} ({status['state_name']})"
    if status.get("suspend_state"):
        state += f", suspended in S{status['suspend_state']}"
    lines = [f"FOP-1 {state}: V(S) {status['v_s']}, NN(R) {status['nn_r']}, "
             f"sent queue {status['sent_queue']}, wait queue {status['wait_queue']}",
             f"window K {status['window']}, T1 {status['t1']:g} s, transmission limit "
             f"{status['transmission_limit']}, timeout type {status['timeout_type']}"]
    clcw = status.get("clcw")
    if clcw:
        flags = [name for name in ("lockout", "wait", "retransmit") if clcw[name]]
        lines.append(f"board's CLCW: N(R) {clcw['n_r']}, FARM-B {clcw['farm_b']}"
                     + (f", {' '.join(flags)}" if flags else ""))
    else:
        lines.append("board's CLCW: none yet")
    if status.get("last_alert"):
        lines.append(f"last alert: {status['last_alert']}" + (" (waiting for the operator)" if status.get("hold") else ""))
    return "\n".join(lines)


def run(args) -> int:
    from ..client import ServerError, request, server_url

    url = server_url(args.server)
    if url is None:
        raise UsageError("ground cop1 talks to a ground server: give --server URL or set PERIJOVE_SERVER")
    if args.directive in WITH_VALUE and args.value is None:
        raise UsageError(f"{args.directive} needs a value")
    if args.directive not in WITH_VALUE and args.value is not None:
        raise UsageError(f"{args.directive or 'the state'} takes no value")
    try:
        if args.directive is None:
            response = request(url, "GET", "/api/cop1", None, args.token)
        else:
            response = request(url, "POST", "/api/cop1", {"directive": args.directive, "value": args.value},
                               args.token)
        status = json.loads(response.read())
    except ServerError as error:
        raise UsageError(str(error)) from None
    print(json.dumps(status) if args.json else describe(status))
    return 0
