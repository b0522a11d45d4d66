"""The session's own bookkeeping stays bounded whatever the spacecraft does or does not answer."""

from fsw.link import link_pair
from fsw.protocol import TmPacket, TmSender
from fsw.protocol.pus import decode_tc
from fsw.protocol.stack import TcReceiver
from ground.session import Session
from ground.telemetry import TelemetryState


def test_commands_never_answered_are_forgotten_past_the_limit():
    flight, ground = link_pair()
    session = Session(ground, on_warning=lambda message: None)
    session.tracker.limit = 5
    sent = [session.submit("ping", ack=0) for _ in range(8)]
    assert len(session.tracker) == 5
    assert list(session.tracker) == [v.request_id for v in sent[-5:]]   # the newest are kept
    # and every command still went out, in order
    received = TcReceiver().feed(flight.read(1 << 16, 0.5))
    assert [decode_tc(r.raw).seq_count for r in received] == list(range(8))


def test_warnings_kept_for_the_monitor_are_bounded():
    state = TelemetryState(Session(link_pair()[1]).dictionary)
    for number in range(1000):
        state.warnings.append(f"warning {number}")
    assert len(state.warnings) == 100 and state.warnings[-1] == "warning 999"


def test_a_listener_hears_records_only_while_its_block_runs():
    flight, ground = link_pair()
    session = Session(ground, on_warning=lambda message: None)
    heard = []
    tm = TmSender()
    tm.push(TmPacket(0x010, 17, 2, b"", time=1.0))   # a ping reply
    frames = tm.output()
    try:
        with session.listening(heard.append):
            session.feed(frames)
            raise RuntimeError("the block fails")
    except RuntimeError:
        pass
    session.feed(frames)
    assert [record.name for record in heard] == ["ping_reply"]
    assert session.listeners == []
