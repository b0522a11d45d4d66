// What the modules offer each other: the command request, verification, events, modes, and
// each component's command handler, periodic step and housekeeping structure.
#ifndef PJ_APP_H
#define PJ_APP_H

#include <stdint.h>

#include "pj_dictionary.h"

// command indices in the generated table: PJ_CMD_PING, PJ_CMD_HEATER_ON, ...
#define PJ_INDEX(name, index, apid, service, subtype, len, first, count, flags) PJ_CMD_##name = index,
enum PjCommandIndex { PJ_COMMANDS(PJ_INDEX) };

void pj_setup();
void pj_loop();

// One accepted TC, as its verification reports need it.
struct PjRequest {
  uint16_t apid;
  uint32_t id;      // packet id and sequence control
  uint8_t ack;      // PUS ack flags: which success reports were asked for
  uint8_t service;
  uint8_t subtype;
};

// A handler returns 0 (completed), a reason code (failed), or PJ_DEFERRED when the work goes
// on and it reports completion itself later (pj_complete).
#define PJ_DEFERRED 0xFF

// verification (pj_dispatch.cpp)
void pj_report(const PjRequest &request, uint8_t subtype, uint16_t reason);
void pj_progress(const PjRequest &request, uint8_t step, uint8_t percent);
void pj_complete(const PjRequest &request, uint8_t reason);
void pj_uplink_frame(uint8_t *frame, uint8_t len);   // a frame with a good FECF (SDLS decrypts in place)
void pj_frame_rejected(uint8_t reason, uint16_t octets);   // a rejected span of the uplink

// events (pj_events.cpp)
void pj_event(uint16_t id, uint8_t severity, const uint8_t *args, uint8_t len);
uint8_t pj_events_command(uint8_t index, const uint8_t *args);

// modes and arming (pj_modes.cpp)
bool pj_safe_mode();
void pj_enter_safe(uint8_t cause);
uint8_t pj_modes_command(uint8_t index, const uint8_t *args);
bool pj_take_arm(uint8_t service, uint8_t subtype);
void pj_contact();
uint8_t pj_modes_hk(uint8_t *out);

// housekeeping (pj_housekeeping.cpp)
uint8_t pj_hk_command(uint8_t index, const uint8_t *args);
void pj_hk_tick();
uint8_t pj_commanding_hk(uint8_t *out);   // lives with the dispatcher's counters

// thermal (pj_thermal.cpp)
void pj_thermal_begin();
void pj_thermal_tick();
uint8_t pj_thermal_command(uint8_t index, const uint8_t *args, const PjRequest &request);
uint8_t pj_thermal_hk(uint8_t *out);
void pj_thermal_safe();

// camera (pj_camera.cpp)
void pj_camera_tick();
uint8_t pj_camera_command(uint8_t index, const uint8_t *args, const PjRequest &request);
uint8_t pj_camera_hk(uint8_t *out);
void pj_camera_safe();
uint32_t pj_camera_hot_pixels();
void pj_camera_heal(float remaining);   // the healable damage times remaining (0-1)
// the stored image's file, made octet by octet in order: open gives its size (0: no such image)
// and keeps the image as it is (no capture, no delete) until close
uint16_t pj_image_file_open(uint16_t image_id);
uint8_t pj_image_file_next();
void pj_image_file_close();

// files: CFDP class 1 downlink of an image's file (pj_cfdp.cpp)
uint8_t pj_cfdp_command(const uint8_t *args, const PjRequest &request);
void pj_cfdp_tick();

#endif
