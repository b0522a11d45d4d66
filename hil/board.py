"""The Arduino board as Python sees it: its thermistor divider.

scripts/firmware_header.py writes it into hil/arduino/perijove/pj_dictionary.h. The firmware
reads its thermistor with these constants and the simavr harness (hil/sim) turns the thermal
node's temperature into the divider's voltage with the same ones, so the two cannot disagree.
"""

# the NTC divider on ADC0 (docs/HARDWARE.md): a 10 k NTC to GND below a 10 k fixed resistor
# to the 5 V supply; the NTC follows the beta equation around 25 C
NTC_R0_OHM = 10000.0
NTC_T0_K = 298.15
NTC_BETA_K = 3950.0
NTC_FIXED_OHM = 10000.0
ADC_SUPPLY_MV = 5000.0
THERMISTOR_CONSTANTS = (
    ("NTC_R0_OHM", NTC_R0_OHM), ("NTC_T0_K", NTC_T0_K), ("NTC_BETA_K", NTC_BETA_K),
    ("NTC_FIXED_OHM", NTC_FIXED_OHM), ("ADC_SUPPLY_MV", ADC_SUPPLY_MV),
)

