"""The interactive console: prompt with completion and history, checked commands, live reports.

Commands go out asynchronously: the prompt comes back at once and each command's verification
stages (accepted, started, progress, completed or failed with the reason) are printed as they
arrive, with events, above the prompt. Arguments are checked against the dictionary before
anything is sent; hazardous commands ask for confirmation, then send `arm` and the command.
File transfers (CFDP: an image coming down, a file going up, whoever started them) are shown too:
their start, every tenth of the file, their gaps and NAKs, and how they ended.
"""

import sys
import threading
import time
from collections import deque
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.patch_stdout import StdoutProxy

from fsw.link import LinkError
from fsw.protocol.dictionary import Dictionary, did_you_mean
from fsw.protocol.reasons import ProtocolError

from . import paths
from .colour import wanted as colour_wanted
from .fields import shown, shown_fields
from .telemetry import Record
from .tracker import STAGES, CommandError, reason_label

BUILTINS = {
    "help": "help [NAME]: list commands, or describe a command, parameter or event",
    "tlm": "tlm [SID]: the latest housekeeping values (all structures, or one)",
    "bypass": "bypass NAME [ARG=VALUE ...]: send a command as a Type-BD frame, past COP-1 (emergencies)",
    "quit": "quit: leave the console (Ctrl-D too)",
}
RED, YELLOW, GREEN, DIM, RESET = "\033[31m", "\033[33m", "\033[32m", "\033[2m", "\033[0m"
QUIET_AFTER = 10.0        # seconds without a packet before the console says the link is quiet
# prompt_toolkit's patch_stdout redraws what was printed every 0.2 s: a reply could wait that
# long to be seen; 5 ms keeps it well inside the 20 ms a person notices (scripts/benchmarks/console.py)
REDRAW_INTERVAL = 0.005


@contextmanager
def _above_the_prompt():
    """print() (and warnings on stderr) go above the prompt, without waiting for a redraw tick."""
    with StdoutProxy(sleep_between_writes=REDRAW_INTERVAL, raw=True) as proxy:
        with redirect_stdout(proxy), redirect_stderr(proxy):
            yield


def transfer_text(transfer) -> str:
    """One line on a CFDP transfer: `  file NAME down: 40% (O of S octets), G gaps (M octets missing), N NAKs`."""
    way = "down" if transfer.direction == "receive" else "up"
    size = transfer.size or 0
    octets = f"{transfer.octets} of {size} octets" if size else f"{transfer.octets} octets"
    if transfer.ok:
        text = f"  file {transfer.name} {way}: completed, {size} octets, checksum verified"
    elif transfer.done:
        text = f"  file {transfer.name} {way}: FAILED ({transfer.condition or 'no reason given'}), {octets}"
    else:
        percent = f"{100 * transfer.octets // size}% " if size else ""
        text = f"  file {transfer.name} {way} (class {transfer.mode}): {percent}({octets})"
    if transfer.gaps and not transfer.ok:
        text += f", {transfer.gaps} gap{'s' * (transfer.gaps != 1)} ({transfer.missing} octets missing)"
    if transfer.naks:
        text += f", {transfer.naks} NAK{'s' * (transfer.naks != 1)}"
    return text


class CommandCompleter(Completer):
    """Command names first, then the command's `argument=` names, then enum values."""

    def __init__(self, dictionary: Dictionary):
        self.dictionary = dictionary

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        words = text.split()
        if not words or (len(words) == 1 and not text.endswith(" ")):
            prefix = words[0] if words else ""
            for name in sorted((*self.dictionary.commands, *BUILTINS)):
                if name.startswith(prefix):
                    yield Completion(name, -len(prefix))
            return
        first = words[0]
        current = "" if text.endswith(" ") else words[-1]
        if first == "help":
            names = (*self.dictionary.commands, *self.dictionary.parameters, *self.dictionary.events_by_name)
            for name in sorted(set(names)):
                if name.startswith(current):
                    yield Completion(name, -len(current))
            return
        command = self.dictionary.commands.get(first)
        if command is None:
            return
        if "=" in current:
            key, _, value = current.partition("=")
            field = next((f for f in command.args if f.name == key), None)
            if field is not None:
                choices = [n for n, _ in field.enum] or (["true", "false"] if field.type == "bool" else [])
                for choice in choices:
                    if choice.startswith(value):
                        yield Completion(choice, -len(value))
            return
        given = {w.partition("=")[0] for w in words[1:] if "=" in w}
        for field in command.args:
            if field.name not in given and field.name.startswith(current):
                yield Completion(f"{field.name}=", -len(current), display_meta=_field_hint(field))


def _field_hint(field) -> str:
    if field.enum:
        return "|".join(n for n, _ in field.enum)
    bounds = field.bounds
    hint = field.type
    if bounds and (field.min is not None or field.max is not None):
        hint += f" {bounds[0]:g}..{bounds[1]:g}"
    if field.unit:
        hint += f" {field.unit}"
    if field.default is not None:
        hint += f" (default {field.default})"
    return hint


def describe(dictionary: Dictionary, name: str) -> str:
    """help NAME: a command, a parameter or an event, from the dictionary."""
    command = dictionary.commands.get(name)
    if command is not None:
        lines = [f"{name} ({command.service},{command.subtype}){' HAZARDOUS' if command.hazardous else ''}: "
                 f"{command.description}"]
        for field in command.args:
            lines.append(f"  {field.name}={_field_hint(field)}  {field.description}")
        if not command.args:
            lines.append("  (no arguments)")
        return "\n".join(lines)
    parameter = dictionary.parameters.get(name)
    if parameter is not None:
        limits = "".join(f", {colour} {parameter.__dict__[colour]}" for colour in ("yellow", "red")
                         if getattr(parameter, colour))
        return f"{name} [{parameter.unit or '-'}] (sid {parameter.sid}): {parameter.description}{limits}"
    event = dictionary.events_by_name.get(name)
    if event is not None:
        args = ", ".join(f.name for f in event.args)
        return f"{name} (event {event.id}, {event.severity.name.lower()}): {event.description} [{args}]"
    raise KeyError(name)


class _History(FileHistory):
    """A history file that cannot be read or written costs the history, never the console: one
    line says so, and the rest of the session keeps its history in memory."""

    def __init__(self, path, say):
        super().__init__(str(path))
        self._say = say
        self._broken = False

    def _fail(self, error: OSError) -> None:
        if not self._broken:
            self._broken = True
            self._say(f"history not kept: {error.filename}: {error.strerror}", YELLOW)

    def load_history_strings(self):
        try:
            return list(super().load_history_strings())
        except OSError as error:
            self._fail(error)
            return []

    def store_string(self, string: str) -> None:
        if self._broken:
            return
        try:
            super().store_string(string)
        except OSError as error:
            self._fail(error)


ASKING_KEPT = 100       # recent commands whose replies this console shows
REPLY_GRACE = 2.0       # seconds after a command ended that a reply in its service is still its


class Console:
    def __init__(self, gs, input=None, output=None, echo=None, history_path=None, quiet_after=QUIET_AFTER):
        self.gs = gs
        self.dictionary = gs.dictionary
        self.quiet_after = quiet_after
        self._heard = time.time()          # when the last packet arrived
        self._quiet = False
        self._left = threading.Event()
        self._plain = echo is not None or not colour_wanted(sys.stdout)
        self.echo = echo or (lambda text: print(text, flush=True))
        self._lock = threading.Lock()
        # [service, TrackedCommand or None while sending] of this console's recent commands: a reply
        # (ping_reply, schedule_report, image_list) is shown by the console that asked for it, not
        # by every console on the same server
        self._asking: deque[list] = deque(maxlen=ASKING_KEPT)
        if history_path is None:
            history_path = paths.history_file()
        history = InMemoryHistory()
        if history_path:
            try:
                history_path.parent.mkdir(parents=True, exist_ok=True)
                history = _History(history_path, self.say)
            except OSError as error:
                self.say(f"history not kept: {error.filename}: {error.strerror}", YELLOW)
        self.prompt = PromptSession(history=history, completer=CommandCompleter(self.dictionary),
                                    input=input, output=output, complete_while_typing=True)
        gs.session.listeners.append(self._on_record)
        self._transfers: dict[tuple[str, str], tuple[int, int]] = {}   # (direction, name) -> (tenths, NAKs) shown
        files = getattr(gs.session, "files", None)
        if files is not None:
            files.listeners.append(self._on_transfer)
        gs.session.on_warning = lambda text: self.say(f"WARNING: {text}", RED)   # above the prompt

    def say(self, text: str, colour: str = "") -> None:
        with self._lock:
            self.echo(text if self._plain or not colour else f"{colour}{text}{RESET}")

    # -- incoming --
    def _on_record(self, record: Record) -> None:
        self._heard = time.time()
        if record.kind == "event":
            fields = shown_fields(self.dictionary.events_by_name[record.name].args, record.fields)
            colour = {"high": RED, "medium": YELLOW}.get(record.severity, DIM)
            self.say(f"[event {record.severity}] {record.name} {fields}".rstrip(), colour)
        elif record.kind == "report" and record.name not in STAGES and self._asked_for(record):
            self._reply(record)

    def _on_transfer(self, transfer) -> None:
        key = (transfer.direction, transfer.name)
        if transfer.done:
            self._transfers.pop(key, None)
            self.say(transfer_text(transfer), GREEN if transfer.ok else RED)
            return
        tenths = transfer.octets * 10 // transfer.size if transfer.size else 0
        if self._transfers.get(key) != (tenths, transfer.naks):
            self._transfers[key] = (tenths, transfer.naks)
            self.say(transfer_text(transfer))

    def _asked_for(self, record: Record) -> bool:
        """A reply in the service of a command this console is sending, has in flight or saw end
        within REPLY_GRACE seconds (a reply comes before its command's completion report)."""
        now = time.time()
        for service, tracked in list(self._asking):
            if service != record.packet.service:
                continue
            if tracked is None or not tracked.done.is_set():
                return True
            if tracked.stages and now - tracked.stages[-1].received <= REPLY_GRACE:
                return True
        return False

    def _reply(self, record: Record) -> None:
        """A report a command asked for (image_list, schedule_report, ping_reply): its fields,
        one line per item of a list."""
        report = self.dictionary.reports[record.name]
        scalars = {k: v for k, v in record.fields.items() if not isinstance(v, list)}
        lines = [f"[reply] {record.name} {shown_fields(report.fields, scalars)}".rstrip()]
        for field in report.fields:
            items = record.fields.get(field.name)
            if isinstance(items, list):
                lines[0] += f" {field.name}: {len(items)}"
                lines += [f"  {shown_fields(field.items, item)}" for item in items]
        self.say("\n".join(lines))

    def _on_stage(self, command, stage) -> None:
        if not stage.ok:
            self.say(f"  {command.name}: {stage.stage} FAILED ({reason_label(stage.reason)})", RED)
        elif stage.stage == "progress":
            self.say(f"  {command.name}: progress step {stage.step} {stage.percent}%")
        elif stage.stage == "completed" and command.name == "ping":
            self.say(f"  ping: completed, round trip {(stage.received - command.sent) * 1000:.0f} ms", GREEN)
        else:
            self.say(f"  {command.name}: {stage.stage}", GREEN if stage.stage == "completed" else "")

    def _watch(self, tracked) -> None:
        """Say so when a command has no completion within the station's timeout."""
        def overdue():
            if not tracked.done.is_set() and not self._left.is_set():
                last = tracked.stages[-1].stage if tracked.stages else "no report"
                self.say(f"  {tracked.name}: no completion within {self.gs.timeout:g} s (last: {last})", RED)
        timer = threading.Timer(self.gs.timeout, overdue)
        timer.daemon = True
        timer.start()

    def _watch_link(self) -> None:
        """Say when nothing has arrived for a while, and when packets come again."""
        while not self._left.wait(min(self.quiet_after / 4, 1.0)):
            silent = time.time() - self._heard
            if silent > self.quiet_after and not self._quiet:
                self._quiet = True
                self.say(f"link quiet: nothing received for {silent:.0f} s", YELLOW)
            elif silent <= self.quiet_after and self._quiet:
                self._quiet = False
                self.say("link: receiving again", GREEN)

    # -- the loop --
    def run(self) -> None:
        self.say("Perijove ground console. `help` lists commands, Tab completes, Ctrl-D leaves.")
        threading.Thread(target=self._watch_link, name="console-link-watch", daemon=True).start()
        try:
            with _above_the_prompt():
                while True:
                    try:
                        line = self.prompt.prompt("ground> ")
                    except KeyboardInterrupt:
                        continue
                    except EOFError:
                        break
                    if not self.execute(line):
                        break
        finally:
            self._left.set()

    def execute(self, line: str) -> bool:
        """One line typed by a person; False when it asks to leave."""
        words = line.split()
        if not words:
            return True
        name, rest = words[0], words[1:]
        if name in ("quit", "exit"):
            return False
        try:
            if name == "help":
                self._help(rest)
            elif name == "tlm":
                self._tlm(rest)
            elif name == "bypass":
                if not rest:
                    raise KeyError("bypass NAME [ARG=VALUE ...]: which command?")
                self._command(rest[0], rest[1:], bypass=True)
            else:
                self._command(name, rest)
        except ProtocolError as error:
            self.say(f"not sent: {error.detail or error}", RED)
        except CommandError as error:
            self.say(f"not sent: {error}", RED)
        except (LinkError, TimeoutError, OSError) as error:   # the link or server is gone, or refused: say so
            self.say(f"not sent: {error}", RED)
        except (KeyError, ValueError) as error:
            self.say(f"{error.args[0] if error.args else error}", RED)
        return True

    def _help(self, rest: list[str]) -> None:
        if rest:
            try:
                self.say(describe(self.dictionary, rest[0]))
            except KeyError:
                self.say(f"no command, parameter or event called {rest[0]!r}", RED)
            return
        for builtin in BUILTINS.values():
            self.say(builtin)
        for command in self.dictionary.commands.values():
            mark = " (hazardous)" if command.hazardous else ""
            self.say(f"{command.name:<22}{command.description}{mark}")

    def _tlm(self, rest: list[str]) -> None:
        known = sorted(self.dictionary.structures)
        if rest and (not rest[0].isdigit() or int(rest[0]) not in known):
            raise KeyError(f"no housekeeping structure {rest[0]!r} (known: {', '.join(map(str, known))})")
        sids = [int(rest[0])] if rest else known
        state = self.gs.state
        for sid in sids:
            for parameter in self.dictionary.structures.get(sid, ()):
                value = state.value(parameter.name)
                if value is None:
                    continue
                stale = " (stale)" if state.is_stale(parameter.name) else ""
                self.say(f"{parameter.name:<20} {shown(parameter, value)}{stale}")

    def _command(self, name: str, words: list[str], bypass: bool = False) -> None:
        if name not in self.dictionary.commands:
            raise KeyError(f"unknown command {name!r}{did_you_mean(name, (*self.dictionary.commands, *BUILTINS))}"
                           " (help lists them)")
        args = self.dictionary.parse_args(name, words)   # checked before anything is sent
        self.dictionary.check_args(name, args)
        if self.dictionary.command(name).hazardous:
            try:
                answer = self.prompt.prompt(f"{name} is hazardous. Arm and send it? [y/N] ")
            except (EOFError, KeyboardInterrupt):     # Ctrl-D or Ctrl-C: a no, not a way out
                answer = ""
            if answer.strip().lower() not in ("y", "yes"):
                self.say(f"{name}: not sent")
                return
        # asking before it is sent: its reply may come before the send returns
        asking = [self.dictionary.command(name).service, None]
        self._asking.append(asking)
        try:
            if self.dictionary.command(name).hazardous:
                tracked = self.gs.arm_and_send(name, wait=False, on_stage=self._on_stage,
                                               on_arm_stage=self._on_stage, bypass=bypass, **args)
            else:
                tracked = self.gs.send(name, wait=False, on_stage=self._on_stage, bypass=bypass, **args)
        except BaseException:
            self._asking.remove(asking)
            raise
        asking[1] = tracked
        self._watch(tracked)
