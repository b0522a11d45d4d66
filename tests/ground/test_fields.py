"""Field values as a person reads them."""

from fsw.dictionary import load
from ground.fields import shown, shown_fields

D = load()


def test_units_reasons_flags_enums_and_times():
    tc_failed = D.events_by_name["tc_failed"].args
    assert shown_fields(tc_failed, {"service": 130, "subtype": 3, "reason": 35}) == \
        "service=130 subtype=3 reason=execution_failed"
    time_set = D.events_by_name["time_set"].args
    assert shown_fields(time_set, {"old": 0, "new": 757_239_660}) == \
        "old=2000-01-01T00:00:00Z new=2023-12-30T08:21:00Z"
    assert shown(D.parameters["cam_filters"], 5) == "red+blue"
    assert shown(D.parameters["last_reason"], 0) == "none"
    assert shown(D.parameters["cam_temp"], 25.5) == "25.5 degC"
    assert shown(D.parameters["cam_temp"], 25.5, with_unit=False) == "25.5"
    assert shown(D.parameters["mode"], "safe") == "safe"
