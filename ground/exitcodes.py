"""Exit statuses of `ground` (docs/GROUND.md lists them)."""

OK = 0
ERROR = 1          # a procedure's assertion or check failed
USAGE = 2          # bad command line, unknown command or argument, bad port, bad archive
REJECTED = 3       # the spacecraft rejected the command (PUS-1 acceptance failure)
FAILED = 4         # accepted, but it failed in execution (start, progress or completion failure)
TIMEOUT = 5        # no completion report in time
INTERRUPTED = 130
STDOUT_CLOSED = 141  # the reader of our output left (`| head`): as SIGPIPE would end us

# by the name of ground.tracker's exceptions, so that this module imports nothing
FOR_ERROR = {"CommandRejected": REJECTED, "CommandFailed": FAILED, "CommandTimeout": TIMEOUT}
FOR_OUTCOME = {"completed": OK, "rejected": REJECTED, "failed": FAILED, "timeout": TIMEOUT}


def for_error(error) -> int:
    return FOR_ERROR.get(type(error).__name__, ERROR)
