// Uplink deframer: hunts for the ASM, bounds the claimed TC frame length, checks the FECF,
// and on any failure resumes the hunt at ASM+1 (never skipping the claimed length).
#ifndef PJ_UPLINK_H
#define PJ_UPLINK_H

void pj_uplink_poll();   // consume received octets; dispatch complete frames

#endif
