// The firmware's companding (hil/arduino/perijove/pj_compand.cpp) built for the host, for
// tests/hil/test_firmware_compand.py: the code of every value from -64 to 4095, one a line.
#include <stdio.h>

#include "pj_compand.h"

int main() {
  for (int value = -64; value <= 4095; value++) printf("%d\n", pj_compand((int16_t)value));
  return 0;
}
