// The dispatcher: packet checks, command lookup in the generated table, argument checks,
// mode and arming rules, PUS-1 verification reports and the commanding counters.
#include <Arduino.h>
#include <avr/pgmspace.h>

#include "pj_app.h"
#include "pj_clock.h"
#include "pj_downlink.h"
#include "pj_farm.h"
#include "pj_sdls.h"
#include "pj_wire.h"

struct CommandSpec {
  uint16_t apid;
  uint8_t service, subtype, arg_len, first_arg, arg_count, flags;
};
struct ArgSpec {
  uint8_t type, offset;
  int32_t low, high;
};

#define PJ_SPEC(name, index, apid, service, subtype, len, first, count, flags) \
  {apid, service, subtype, len, first, count, flags},
#define PJ_ARG(name, command, type, offset, low, high) {type, offset, low, high},

static const CommandSpec command_specs[] PROGMEM = {PJ_COMMANDS(PJ_SPEC)};
static const ArgSpec arg_specs[] PROGMEM = {PJ_ARGS(PJ_ARG)};

// the counters of housekeeping structure 2, in its order: one loop writes them all
enum { TC_ACCEPTED, TC_REJECTED, TC_EXECUTED, TC_FAILED, FRAMES_RECEIVED, FRAMES_REJECTED, COUNTERS };
static uint32_t counts[COUNTERS];
static uint16_t last_reason;

static void failure_event(const PjRequest &r, uint8_t subtype, uint16_t reason);

void pj_report(const PjRequest &r, uint8_t subtype, uint16_t reason) {
  bool failure = (subtype & 1) == 0;
  // PUS-C: success reports only when the ack flags ask; failures always
  uint8_t flag = subtype <= 2 ? PJ_ACK_ACCEPTANCE : subtype <= 4 ? PJ_ACK_START : PJ_ACK_COMPLETION;
  if (!failure && !(r.ack & flag)) return;
  pj_tm_begin(r.apid, 1, subtype, failure ? 6 : 4);
  pj_tm_put32(r.id);
  if (failure) pj_tm_put16(reason);
  pj_tm_end();
  if (failure) failure_event(r, subtype, reason);
}

// every failure is logged as an event, readable or not (fsw/commanding/dispatcher.py)
static void failure_event(const PjRequest &r, uint8_t subtype, uint16_t reason) {
  last_reason = reason;
  uint8_t event[PJ_EVENT_TC_REJECTED_ARG_LEN];
  event[PJ_EVENT_TC_REJECTED_ARG_SERVICE] = r.service;
  event[PJ_EVENT_TC_REJECTED_ARG_SUBTYPE] = r.subtype;
  pj_put16(event + PJ_EVENT_TC_REJECTED_ARG_REASON, reason);
  if (subtype == PJ_REPORT_ACCEPTANCE_FAILURE_SUBTYPE)
    pj_event(PJ_EVENT_TC_REJECTED_ID, PJ_EVENT_TC_REJECTED_SEVERITY, event, sizeof event);
  else
    pj_event(PJ_EVENT_TC_FAILED_ID, PJ_EVENT_TC_FAILED_SEVERITY, event, sizeof event);
}

void pj_progress(const PjRequest &r, uint8_t step, uint8_t percent) {
  if (!(r.ack & PJ_ACK_PROGRESS)) return;
  pj_tm_begin(r.apid, 1, PJ_REPORT_PROGRESS_SUCCESS_SUBTYPE, PJ_REPORT_PROGRESS_SUCCESS_FIELD_LEN);
  pj_tm_put32(r.id);
  pj_tm_put(step);
  pj_tm_put(percent);
  pj_tm_end();
}

void pj_complete(const PjRequest &r, uint8_t reason) {
  if (reason) {
    counts[TC_FAILED]++;
    pj_report(r, PJ_REPORT_COMPLETION_FAILURE_SUBTYPE, reason);
  } else {
    counts[TC_EXECUTED]++;
    pj_report(r, PJ_REPORT_COMPLETION_SUCCESS_SUBTYPE, 0);
  }
}

static void reject(const PjRequest &r, uint16_t reason) {
  counts[TC_REJECTED]++;
  pj_report(r, PJ_REPORT_ACCEPTANCE_FAILURE_SUBTYPE, reason);
}

static uint8_t find_command(const PjRequest &r, uint8_t *index) {
  bool apid_known = false, service_known = false;
  for (uint8_t i = 0; i < PJ_COMMAND_COUNT; i++) {
    if (pgm_read_word(&command_specs[i].apid) != r.apid) continue;
    apid_known = true;
    if (pgm_read_byte(&command_specs[i].service) != r.service) continue;
    service_known = true;
    if (pgm_read_byte(&command_specs[i].subtype) == r.subtype) {
      *index = i;
      return 0;
    }
  }
  if (!apid_known) return PJ_REASON_UNKNOWN_APID;
  return service_known ? PJ_REASON_UNKNOWN_SUBTYPE : PJ_REASON_UNKNOWN_SERVICE;
}

static uint8_t check_args(uint8_t index, const uint8_t *args, uint8_t len) {
  CommandSpec spec;
  memcpy_P(&spec, &command_specs[index], sizeof spec);
  if (spec.flags & PJ_CMD_VARIABLE) return PJ_REASON_NOT_IMPLEMENTED;   // fixed layouts only
  if (len != spec.arg_len) return PJ_REASON_BAD_LENGTH;
  for (uint8_t a = spec.first_arg; a < spec.first_arg + spec.arg_count; a++) {
    ArgSpec arg;
    memcpy_P(&arg, &arg_specs[a], sizeof arg);
    const uint8_t *p = args + arg.offset;
    int32_t value;
    switch (arg.type) {
      case PJ_T_U16: value = pj_get16(p); break;
      case PJ_T_I16: value = (int16_t)pj_get16(p); break;
      case PJ_T_I8: value = (int8_t)p[0]; break;
      case PJ_T_U32: {
        uint32_t u = pj_get32(p);   // unsigned bounds are stored as 32-bit patterns
        if (u < (uint32_t)arg.low || u > (uint32_t)arg.high) return PJ_REASON_ARG_OUT_OF_RANGE;
        continue;
      }
      case PJ_T_I32: value = (int32_t)pj_get32(p); break;
      default: value = p[0]; break;
    }
    if (value < arg.low || value > arg.high) return PJ_REASON_ARG_OUT_OF_RANGE;
  }
  return 0;
}

// The board implements exactly these cases: scripts/firmware_header.py reads them and marks
// them PJ_CMD_ON_BOARD in the generated table, and the HIL targets take their list from here.
static uint8_t execute(uint8_t index, const uint8_t *args, const PjRequest &r) {
  switch (index) {
    case PJ_CMD_PING:
      pj_tm_begin(r.apid, PJ_REPORT_PING_REPLY_SERVICE, PJ_REPORT_PING_REPLY_SUBTYPE, 0);
      pj_tm_end();
      return 0;
    case PJ_CMD_TIME_SET: {
      // a time after the mission's end (Unix seconds, say) is refused, as on the host
      if (pj_get32(args + PJ_ARG_TIME_SET_SECONDS) > PJ_MISSION_END) return PJ_REASON_ARG_OUT_OF_RANGE;
      uint8_t event[PJ_EVENT_TIME_SET_ARG_LEN];
      pj_put32(event + PJ_EVENT_TIME_SET_ARG_OLD, pj_clock_seconds());
      pj_put32(event + PJ_EVENT_TIME_SET_ARG_NEW, pj_get32(args + PJ_ARG_TIME_SET_SECONDS));
      pj_clock_set(pj_get32(args + PJ_ARG_TIME_SET_SECONDS));
      pj_event(PJ_EVENT_TIME_SET_ID, PJ_EVENT_TIME_SET_SEVERITY, event, sizeof event);
      return 0;
    }
    case PJ_CMD_HK_ENABLE:
    case PJ_CMD_HK_DISABLE:
    case PJ_CMD_HK_ONESHOT:
    case PJ_CMD_HK_INTERVAL:
      return pj_hk_command(index, args);
    case PJ_CMD_EVENTS_ENABLE:
    case PJ_CMD_EVENTS_DISABLE:
      return pj_events_command(index, args);
    case PJ_CMD_MODE_SAFE:
    case PJ_CMD_MODE_NOMINAL:
    case PJ_CMD_ARM:
      return pj_modes_command(index, args);
    case PJ_CMD_HEATER_ON:
    case PJ_CMD_HEATER_OFF:
    case PJ_CMD_HEATER_SETPOINT:
    case PJ_CMD_ANNEAL:
    case PJ_CMD_ANNEAL_ABORT:
      return pj_thermal_command(index, args, r);
    case PJ_CMD_CAM_POWER:
    case PJ_CMD_CAM_CONFIGURE:
    case PJ_CMD_CAM_CAPTURE:
    case PJ_CMD_CAM_LIST:
    case PJ_CMD_CAM_DELETE:
      return pj_camera_command(index, args, r);
    case PJ_CMD_FILE_DOWNLINK:
      return pj_cfdp_command(args, r);
    default:   // not reached: only the cases above are on the board
      return PJ_REASON_EXECUTION_FAILED;
  }
}

// uplink packet checks in the host's order (fsw/protocol/pus.py decode_tc)
static uint8_t check_packet(const uint8_t *p, uint8_t n) {
  if (n < PJ_PRIMARY_HEADER_LEN + PJ_TC_SECONDARY_LEN + PJ_CRC_LEN) return PJ_REASON_BAD_LENGTH;
  if (p[0] >> 5) return PJ_REASON_BAD_VERSION;
  if ((p[0] & 0x18) != 0x18) return PJ_REASON_BAD_TYPE;
  if (pj_get16(p + 4) + PJ_PRIMARY_HEADER_LEN + 1 != n) return PJ_REASON_BAD_LENGTH;
  if (pj_crc16(pj_crc16_start(), p, n)) return PJ_REASON_BAD_CRC;
  if (p[6] >> 4 != PJ_PUS_VERSION) return PJ_REASON_BAD_VERSION;
  return 0;
}

static void dispatch_packet(const uint8_t *p, uint8_t n) {
  PjRequest r = {0, 0, 0, 0, 0};
  if (n >= PJ_PRIMARY_HEADER_LEN) {
    r.apid = pj_get16(p) & 0x7FF;
    r.id = pj_get32(p);
  }
  if (n >= PJ_PRIMARY_HEADER_LEN + 3) {
    r.service = p[7];
    r.subtype = p[8];
  }
  uint8_t reason = check_packet(p, n);
  if (reason) {
    if (n >= PJ_PRIMARY_HEADER_LEN) {
      reject(r, reason);
    } else {   // no primary header: nothing to address a report to, but counted and logged
      counts[TC_REJECTED]++;
      failure_event(r, PJ_REPORT_ACCEPTANCE_FAILURE_SUBTYPE, reason);
    }
    return;
  }
  r.ack = p[6] & 0x0F;
  uint8_t index = 0;
  reason = find_command(r, &index);
  const uint8_t *args = p + PJ_PRIMARY_HEADER_LEN + PJ_TC_SECONDARY_LEN;
  uint8_t arg_len = n - PJ_PRIMARY_HEADER_LEN - PJ_TC_SECONDARY_LEN - PJ_CRC_LEN;
  uint8_t flags = pgm_read_byte(&command_specs[index].flags);
  // declared but not on this board: one answer, whatever the arguments, mode or arming
  if (!reason && !(flags & PJ_CMD_ON_BOARD)) reason = PJ_REASON_NOT_IMPLEMENTED;
  if (!reason) reason = check_args(index, args, arg_len);
  if (!reason && pj_safe_mode() && !(flags & PJ_CMD_SAFE)) reason = PJ_REASON_NOT_ALLOWED_IN_MODE;
  if (!reason && (flags & PJ_CMD_HAZARDOUS) && !pj_take_arm(r.service, r.subtype))
    reason = PJ_REASON_NOT_ARMED;
  if (reason) {
    reject(r, reason);
    return;
  }
  pj_contact();
  counts[TC_ACCEPTED]++;
  pj_report(r, PJ_REPORT_ACCEPTANCE_SUCCESS_SUBTYPE, 0);
  pj_report(r, PJ_REPORT_START_SUCCESS_SUBTYPE, 0);
  reason = execute(index, args, r);
  if (reason != PJ_DEFERRED) pj_complete(r, reason);
}

void pj_uplink_frame(uint8_t *f, uint8_t len) {
  // TC frame header checks (fsw/protocol/tcframe.py decode_tc_frame); FECF already good
  uint8_t reason = 0;
  if (f[0] >> 6) reason = PJ_REASON_BAD_FRAME_HEADER;
  else if ((pj_get16(f) & 0x3FF) != PJ_SPACECRAFT_ID) reason = PJ_REASON_BAD_SCID;
  else if (!(reason = pj_sdls_process(f, &len))) reason = pj_farm_check(f, len);   // SDLS first
  if (reason) {
    pj_frame_rejected(reason, len);
    return;
  }
  counts[FRAMES_RECEIVED]++;
  if (pj_farm_frame(f, len)) dispatch_packet(f + PJ_TC_HEADER_LEN, len - PJ_TC_HEADER_LEN - PJ_FECF_LEN);
}

void pj_frame_rejected(uint8_t reason, uint16_t octets) {
  counts[FRAMES_REJECTED]++;
  last_reason = reason;
  uint8_t event[PJ_EVENT_FRAME_REJECTED_ARG_LEN];
  pj_put16(event + PJ_EVENT_FRAME_REJECTED_ARG_REASON, reason);
  pj_put16(event + PJ_EVENT_FRAME_REJECTED_ARG_OCTETS, octets);
  pj_event(PJ_EVENT_FRAME_REJECTED_ID, PJ_EVENT_FRAME_REJECTED_SEVERITY, event, sizeof event);
}

uint8_t pj_commanding_hk(uint8_t *out) {
  static_assert(PJ_HK_COMMANDING_FRAMES_REJECTED == PJ_HK_COMMANDING_TC_ACCEPTED + 4 * FRAMES_REJECTED,
                "the commanding counters are consecutive u32 in housekeeping structure 2");
  for (uint8_t i = 0; i < COUNTERS; i++) pj_put32(out + PJ_HK_COMMANDING_TC_ACCEPTED + 4 * i, counts[i]);
  pj_put16(out + PJ_HK_COMMANDING_LAST_REASON, last_reason);
  pj_farm_hk(out);
  return PJ_HK_COMMANDING_LEN;
}
