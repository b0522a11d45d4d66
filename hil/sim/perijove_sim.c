/*
 * perijove_sim: the Perijove firmware ELF in simavr, with its UART0 on a pty and its heater
 * pin and thermistor wired to the same one-node thermal model the host simulation uses.
 *
 *   perijove_sim [options] firmware.elf
 *
 * Prints "PTY <path>" once the pty is open, then runs the AVR paced to the wall clock times
 * --speed (simavr would otherwise run as fast as the host allows). Reads commands on stdin,
 * one per line, for fault injection: "temp <degC>", "external <W>", "sensor open|short|ok",
 * "heater stuck_on|ok" (a welded relay, as the host simulation's heater option), "millis <ms>"
 * (set the Arduino core's millisecond count, at the --millis-at data address, to test its wrap
 * after 2^32 ms without waiting 49.7 days), "reset" (a power cycle: the AVR starts again from
 * its reset vector with its RAM lost, as when the board's supply is cut; its flash, its EEPROM, the
 * thermal node and the pty stay, so a ground's open port stays valid) and "stats" (write --stats now).
 * --thermal-speed X runs the thermal node X times faster than the AVR's clock, so that a
 * node with a time constant of hours can be exercised in seconds by firmware in real time.
 * --eeprom FILE puts FILE's octets at the start of the AVR's EEPROM before it runs (the SDLS keys
 * of the Mega build, as avrdude -U eeprom:w:FILE:r would on a board).
 * On SIGTERM or SIGINT it stops, writes --stats (JSON) and exits 0.
 *
 * The RAM between the firmware's static data and the stack is painted before it runs; the
 * stats give the deepest the stack has reached (stack_used) and what was left (stack_free), over
 * every boot of the run; "resets" counts the power cycles.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <avr_adc.h>
#include <avr_eeprom.h>
#include <avr_ioport.h>
#include <avr_uart.h>
#include <sim_avr.h>
#include <sim_elf.h>
#include <sim_irq.h>
#include <sim_time.h>

#include "thermal.h"

#define THERMAL_STEP_US 10000
#define PACE_EVERY_US 1000

static volatile sig_atomic_t stopping;
static thermal_node_t node;
static thermistor_t thermistor;
static int heater_on, heater_stuck;
static double thermal_speed = 1.0;
static enum { SENSOR_OK, SENSOR_OPEN, SENSOR_SHORT } sensor = SENSOR_OK;
static avr_irq_t *adc_irq;

/* marker pin: high while the firmware decodes and dispatches one TC */
static avr_cycle_count_t marker_rise;
static unsigned long marker_count;
static avr_cycle_count_t marker_min = ~0ULL, marker_max, marker_sum;
static int trace_marker;
static avr_t *avr;
static const char *stats;
static double start;
static uint16_t static_end;   /* first data address after .data and .bss */
static long millis_at = -1;   /* data address of the core's timer0_millis, from --millis-at */
static int millis_pending;
static uint32_t millis_value;
/* a reset starts simavr's cycle count again: the cycles of the boots before, so time goes on */
static avr_cycle_count_t cycles_before;
static uint16_t deepest_before = 0xFFFF;   /* the lowest stack address of the boots before */
static unsigned resets;
/* the mean time between two octets the UART sent back to back (within twice the shortest): the
 * simulated line's rate, which a benchmark measures against (the stats' uart_octet_us). simavr
 * counts 11 bits an octet, a parity bit 8N1 does not send: at 115200 baud (117,647 with the
 * Uno's divisor) its line carries 10,695 octets a second, not 11,520 */
static avr_cycle_count_t tx_last, tx_gap_min = ~0ULL, tx_gap_sum;
static unsigned long tx_gaps;

#define PAINT 0xA5

static void on_signal(int sig) {
	(void)sig;
	stopping = 1;
}

static void on_heater(avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	(void)param;
	heater_on = value != 0;
}

static void on_marker(avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	(void)param;
	if (value) {
		marker_rise = avr->cycle;
		return;
	}
	if (!marker_rise)
		return;
	avr_cycle_count_t cycles = avr->cycle - marker_rise;
	marker_rise = 0;
	marker_count++;
	marker_sum += cycles;
	if (cycles < marker_min)
		marker_min = cycles;
	if (cycles > marker_max)
		marker_max = cycles;
	if (trace_marker)
		fprintf(stderr, "marker %llu cycles\n", (unsigned long long)cycles);
}

static uint32_t sensor_millivolts(void) {
	if (sensor == SENSOR_OPEN)
		return (uint32_t)PJ_ADC_SUPPLY_MV;
	if (sensor == SENSOR_SHORT)
		return 0;
	return thermistor_millivolts(&thermistor, node.temperature);
}

static avr_cycle_count_t thermal_step(avr_t *a, avr_cycle_count_t when, void *param) {
	(void)param;
	thermal_advance(&node, heater_on || heater_stuck, THERMAL_STEP_US * 1e-6 * thermal_speed);
	avr_raise_irq(adc_irq, sensor_millivolts());
	return when + avr_usec_to_cycles(a, THERMAL_STEP_US);
}

static double wall_seconds(void);

static avr_cycle_count_t cycles(void) {
	return cycles_before + avr->cycle;
}

/* the lowest address the stack has written: the first byte above the statics not PAINT */
static uint16_t stack_low(void) {
	uint16_t a = static_end;
	while (a <= avr->ramend && avr->data[a] == PAINT)
		a++;
	return a;
}

static void write_stats(void) {
	if (!stats)
		return;
	FILE *f = fopen(stats, "w");
	if (!f)
		return;
	uint16_t low = stack_low();
	if (deepest_before < low)
		low = deepest_before;
	fprintf(f,
		"{\"cycles\": %llu, \"wall_seconds\": %.3f, \"sim_seconds\": %.3f, "
		"\"dispatches\": %lu, \"dispatch_cycles_min\": %llu, \"dispatch_cycles_max\": %llu, "
		"\"dispatch_cycles_mean\": %.1f, \"temperature\": %.2f, \"static_end\": %u, "
		"\"stack_used\": %u, \"stack_free\": %u, \"resets\": %u, \"uart_octet_us\": %.2f}\n",
		(unsigned long long)cycles(), wall_seconds() - start, (double)cycles() / avr->frequency,
		marker_count, (unsigned long long)(marker_count ? marker_min : 0),
		(unsigned long long)marker_max, marker_count ? (double)marker_sum / marker_count : 0.0,
		node.temperature, static_end, avr->ramend + 1 - low, low - static_end, resets,
		tx_gaps ? (double)tx_gap_sum / tx_gaps * 1e6 / avr->frequency : 0.0);
	fclose(f);
}

/*
 * UART0 on a pty, from this thread alone. simavr's uart_pty part runs a thread of its own that
 * raises the UART's input IRQ, and with it registers simavr's cycle timers, while the AVR runs
 * here: the timer list is not thread-safe, and a timer lost that way stops the UART for good.
 * Here the pty is read and written between slices of simulated time; octets go into the UART
 * while it says it has room (XON, which it first says once the firmware has enabled it), and the
 * UART paces them at its baud rate.
 */
#define TX_RING 4096          /* what the AVR has sent and the pty has not yet taken */
#define TX_BACKLOG_MAX 256    /* more than this waiting: simulated time waits for the pty */
static int pty_master = -1;
static char pty_name[128];
static avr_irq_t *uart_input;
static int uart_xon;          /* the UART says when it takes octets: not before it is set up */
static uint8_t tx_ring[TX_RING];
static unsigned tx_head, tx_tail;     /* free-running; the ring never holds more than TX_RING */
static uint8_t rx_octets[512];
static size_t rx_len, rx_done;

static void on_uart_output(avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	(void)param;
	avr_cycle_count_t now = cycles(), gap = now - tx_last;
	if (tx_last && gap < tx_gap_min)
		tx_gap_min = gap;
	if (tx_last && gap < 2 * tx_gap_min) {
		tx_gap_sum += gap;
		tx_gaps++;
	}
	tx_last = now;
	if (tx_head - tx_tail < TX_RING)
		tx_ring[tx_head++ % TX_RING] = (uint8_t)value;
}

static void on_uart_xon(avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	(void)value;
	(void)param;
	uart_xon = 1;
}

static void on_uart_xoff(avr_irq_t *irq, uint32_t value, void *param) {
	(void)irq;
	(void)param;
	if (value)      /* 0 says the FIFO is no longer full; XON follows it */
		uart_xon = 0;
}

static unsigned tx_backlog(void) {
	return tx_head - tx_tail;
}

/* the octets waiting both ways, moved as far as the pty and the UART take them now */
static void pump_uart(void) {
	while (tx_backlog()) {
		unsigned at = tx_tail % TX_RING, len = tx_backlog();
		if (len > TX_RING - at)
			len = TX_RING - at;
		ssize_t n = write(pty_master, tx_ring + at, len);
		if (n <= 0)
			break;      /* EAGAIN: the pty is full; the rest goes at the next slice */
		tx_tail += (unsigned)n;
	}
	if (rx_done == rx_len) {
		ssize_t n = read(pty_master, rx_octets, sizeof rx_octets);
		rx_len = n > 0 ? (size_t)n : 0;
		rx_done = 0;
	}
	while (uart_xon && rx_done < rx_len)
		avr_raise_irq(uart_input, rx_octets[rx_done++]);
}

static int open_uart_pty(void) {
	int slave;   /* held open, as simavr's part did: the ground may close and open its end */
	if (openpty(&pty_master, &slave, pty_name, NULL, NULL) < 0)
		return -1;
	struct termios tio;
	tcgetattr(pty_master, &tio);
	cfmakeraw(&tio);
	tcsetattr(pty_master, TCSANOW, &tio);
	fcntl(pty_master, F_SETFL, fcntl(pty_master, F_GETFL) | O_NONBLOCK);

	uint32_t flags = 0;   /* binary frames, not lines for the console */
	avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
	flags &= ~AVR_UART_FLAG_STDIO;
	avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
	uart_input = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), on_uart_output, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), on_uart_xon, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), on_uart_xoff, NULL);
	return 0;
}

/* millis() and the timer 0 interrupt read timer0_millis with interrupts off: writing it only
 * while they are on never tears one of their 4-octet reads */
static void apply_millis(void) {
	if (!millis_pending || !avr->sreg[S_I])
		return;
	for (int i = 0; i < 4; i++)   /* little-endian, as avr-gcc stores a long */
		avr->data[millis_at + i] = (uint8_t)(millis_value >> (8 * i));
	millis_pending = 0;
}

/* every octet of RAM painted: before a boot, nothing of what it held is left */
static void paint_ram(void) {
	for (uint32_t a = avr->ioend + 1; a <= avr->ramend; a++)
		avr->data[a] = PAINT;
}

static void start_wiring(void);

/* as the supply cut and restored: simavr's reset puts the registers, the I/O and the program
 * counter as at power-up; the RAM is painted over (the firmware's start-up code sets its statics) */
static void power_cycle(void) {
	uint16_t low = stack_low();
	if (low < deepest_before)
		deepest_before = low;
	avr_cycle_count_t before = avr->cycle;
	avr_reset(avr);
	cycles_before += before - avr->cycle;
	paint_ram();
	heater_on = 0;
	uart_xon = 0;   /* until the firmware has set its UART up again */
	marker_rise = 0;
	millis_pending = 0;
	start_wiring();
	resets++;
}

static void control(const char *line) {
	double value;
	unsigned long ms;
	char word[16];
	if (sscanf(line, "millis %lu", &ms) == 1) {
		if (millis_at < 0) {
			fprintf(stderr, "perijove_sim: millis needs --millis-at\n");
			return;
		}
		millis_value = (uint32_t)ms;
		millis_pending = 1;
	} else if (sscanf(line, "temp %lf", &value) == 1)
		node.temperature = value;
	else if (sscanf(line, "external %lf", &value) == 1)
		node.external_power = value;
	else if (sscanf(line, "heater %15s", word) == 1)
		heater_stuck = !strcmp(word, "stuck_on");
	else if (sscanf(line, "sensor %15s", word) == 1)
		sensor = !strcmp(word, "open") ? SENSOR_OPEN : !strcmp(word, "short") ? SENSOR_SHORT : SENSOR_OK;
	else if (!strncmp(line, "stats", 5))
		write_stats();
	else if (!strncmp(line, "reset", 5))
		power_cycle();
	else
		fprintf(stderr, "perijove_sim: unknown control line: %s", line);
}

/* non-blocking: stdin is polled between slices of simulated time */
static void poll_stdin(void) {
	static char line[128];
	static size_t used;
	struct pollfd p = {.fd = 0, .events = POLLIN};
	while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
		char c;
		if (read(0, &c, 1) != 1)
			return;
		if (used < sizeof line - 1)
			line[used++] = c;
		if (c == '\n') {
			line[used] = 0;
			control(line);
			used = 0;
		}
	}
}

static double wall_seconds(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void usage(void) {
	fprintf(stderr,
		"usage: perijove_sim [--mcu atmega328p|atmega2560] [--speed X (0: unpaced)]\n"
		"       [--capacity J/K] [--conductance W/K] [--sink degC] [--power W] [--initial degC]\n"
		"       [--thermal-speed X] [--stats FILE] [--millis-at ADDR] [--eeprom FILE] [--trace-marker]\n"
		"       firmware.elf\n");
	exit(2);
}

/* the thermistor's voltage on the ADC and the thermal node's steps, at boot and after a reset
 * (simavr's reset cancels every cycle timer) */
static void start_wiring(void) {
	avr_raise_irq(adc_irq, sensor_millivolts());
	avr_cycle_timer_register_usec(avr, THERMAL_STEP_US, thermal_step, NULL);
}

/* FILE's octets from EEPROM address 0 */
static int load_eeprom(const char *path) {
	static uint8_t octets[4096];
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t n = fread(octets, 1, sizeof octets, f);
	fclose(f);
	avr_eeprom_desc_t desc = {.ee = octets, .offset = 0, .size = (uint32_t)n};
	avr_ioctl(avr, AVR_IOCTL_EEPROM_SET, &desc);   /* simavr 1.6 answers -1 even when it worked */
	avr_eeprom_desc_t got = {.ee = NULL, .offset = 0, .size = (uint32_t)n};
	avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &got);
	return n && got.ee && !memcmp(got.ee, octets, n) ? 0 : -1;
}

int main(int argc, char **argv) {
	const char *mcu = "atmega328p", *elf = NULL, *eeprom = NULL;
	double speed = 1.0;
	thermal_defaults(&node);
	thermistor_defaults(&thermistor);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--trace-marker")) { trace_marker = 1; continue; }
		if (a[0] != '-') { elf = a; continue; }
		if (!v) usage();
		i++;
		if (!strcmp(a, "--mcu")) mcu = v;
		else if (!strcmp(a, "--speed")) speed = atof(v);
		else if (!strcmp(a, "--capacity")) node.capacity = atof(v);
		else if (!strcmp(a, "--conductance")) node.conductance = atof(v);
		else if (!strcmp(a, "--sink")) node.sink = atof(v);
		else if (!strcmp(a, "--power")) node.heater_power = atof(v);
		else if (!strcmp(a, "--initial")) node.temperature = atof(v);
		else if (!strcmp(a, "--stats")) stats = v;
		else if (!strcmp(a, "--thermal-speed")) thermal_speed = atof(v);
		else if (!strcmp(a, "--millis-at")) millis_at = strtol(v, NULL, 0);
		else if (!strcmp(a, "--eeprom")) eeprom = v;
		else usage();
	}
	if (!elf || node.capacity <= 0 || node.conductance <= 0 || speed < 0 || thermal_speed <= 0)
		usage();

	elf_firmware_t firmware;
	memset(&firmware, 0, sizeof firmware);
	if (elf_read_firmware(elf, &firmware)) {
		fprintf(stderr, "perijove_sim: cannot read %s\n", elf);
		return 1;
	}
	avr = avr_make_mcu_by_name(mcu);
	if (!avr) {
		fprintf(stderr, "perijove_sim: unknown MCU %s\n", mcu);
		return 1;
	}
	avr_init(avr);
	if (millis_at >= 0 && (millis_at <= avr->ioend || millis_at + 3 > avr->ramend)) {
		fprintf(stderr, "perijove_sim: --millis-at 0x%lx is not in RAM\n", millis_at);
		return 2;
	}
	avr_load_firmware(avr, &firmware);
	if (eeprom && load_eeprom(eeprom) < 0) {
		fprintf(stderr, "perijove_sim: cannot load %s into the EEPROM\n", eeprom);
		return 2;
	}
	avr->frequency = 16000000;
	avr->vcc = avr->avcc = avr->aref = (uint32_t)PJ_ADC_SUPPLY_MV;
	/* RAM starts after the I/O space (0x100 on the 328P, 0x200 on the 2560) */
	static_end = avr->ioend + 1 + firmware.datasize + firmware.bsssize;
	paint_ram();

	/* Arduino pin 8 (heater) and pin 9 (marker): PB0/PB1 on the Uno, PH5/PH6 on the Mega */
	int mega = !strcmp(mcu, "atmega2560");
	char port = mega ? 'H' : 'B';
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(port), mega ? 5 : 0), on_heater, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(port), mega ? 6 : 1), on_marker, NULL);
	adc_irq = avr_io_getirq(avr, AVR_IOCTL_ADC_GETIRQ, ADC_IRQ_ADC0);
	start_wiring();

	if (open_uart_pty() < 0) {
		fprintf(stderr, "perijove_sim: cannot open a pty: %s\n", strerror(errno));
		return 1;
	}
	printf("PTY %s\n", pty_name);
	fflush(stdout);

	struct sigaction action;
	memset(&action, 0, sizeof action);
	action.sa_handler = on_signal;
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	signal(SIGPIPE, SIG_IGN);

	start = wall_seconds();
	avr_cycle_count_t slice = avr_usec_to_cycles(avr, PACE_EVERY_US), next_pace = slice;
	int state = cpu_Running;
	while (!stopping && state != cpu_Done && state != cpu_Crashed) {
		state = avr_run(avr);
		if (cycles() < next_pace)
			continue;
		next_pace = cycles() + slice;
		poll_stdin();
		apply_millis();
		pump_uart();
		/* a pty the ground does not drain: simulated time waits rather than lose octets (a real
		 * USB-serial bridge loses nothing either), and the stats' sim_seconds show the slowdown */
		while (!stopping && tx_backlog() > TX_BACKLOG_MAX) {
			struct timespec t = {0, 1000000};
			nanosleep(&t, NULL);
			pump_uart();
		}
		if (speed > 0) {
			double ahead = (double)cycles() / avr->frequency / speed - (wall_seconds() - start);
			if (ahead > 0.0005) {
				struct timespec t = {(time_t)ahead, (long)((ahead - (time_t)ahead) * 1e9)};
				nanosleep(&t, NULL);
			}
		}
	}
	write_stats();
	if (state == cpu_Crashed) {
		fprintf(stderr, "perijove_sim: the firmware crashed\n");
		_exit(3);
	}
	fflush(NULL);
	_exit(0);
}
