/* SPDX-License-Identifier: MIT */
/* The GDB stub against a pretend vCPU: framing, every packet it serves,
 * breakpoints, stepping, Ctrl-C, detach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/unit/fake_gdb_target.h"
#include "vmm/gdb/gdbstub.h"

static struct gdbstub stub;
static struct fake_target tgt;

static int setup(void **state)
{
	(void)state;
	memset(&tgt, 0, sizeof(tgt));
	for (unsigned i = 0; i < 16; i++)
		tgt.regs.gpr[i] = 0x1111111111111111ull * (i + 1);
	tgt.regs.rip = FAKE_VIRT + 0x100;
	tgt.regs.eflags = 0x202;
	tgt.regs.seg[0] = 0x10;
	for (unsigned i = 0; i < FAKE_SIZE; i++)
		tgt.mem[i] = (uint8_t)i;
	gdbstub_init(&stub, &fake_ops, &tgt, fake_put, &tgt);
	return 0;
}

static void feed(const char *bytes)
{
	tgt.out_len = 0;
	tgt.out[0] = '\0';
	for (; *bytes; bytes++)
		gdbstub_input(&stub, (uint8_t)*bytes);
}

/* Sends one packet as GDB frames it; returns what the stub answered. */
static const char *send(const char *payload)
{
	char frame[4200];
	unsigned sum = 0;

	for (const char *p = payload; *p; p++)
		sum += (uint8_t)*p;
	snprintf(frame, sizeof(frame), "$%s#%02x", payload, sum & 0xff);
	feed(frame);
	return tgt.out;
}

/* The framed form of an answer: "+" for the ack, then $payload#sum. */
static const char *framed(const char *payload)
{
	static char buf[4200];
	unsigned sum = 0;

	for (const char *p = payload; *p; p++)
		sum += (uint8_t)*p;
	snprintf(buf, sizeof(buf), "+$%s#%02x", payload, sum & 0xff);
	return buf;
}

static void bad_checksum_is_refused(void **state)
{
	(void)state;
	feed("$g#00");
	assert_string_equal(tgt.out, "-");
	assert_int_equal(tgt.stops, 0); /* not taken as a packet */
	feed("$g#zz");
	assert_string_equal(tgt.out, "-");
}

static void first_packet_stops_the_guest(void **state)
{
	(void)state;
	assert_string_equal(send("qSupported:multiprocess+;swbreak+"),
			    framed("PacketSize=1000;swbreak+;hwbreak+"));
	assert_true(tgt.held);
	assert_string_equal(send("?"), framed("T05thread:1;"));
	assert_string_equal(send("qAttached"), framed("1"));
	assert_string_equal(send("qfThreadInfo"), framed("m1"));
	assert_string_equal(send("vMustReplyEmpty"), framed(""));
}

static void registers_in_gdb_order(void **state)
{
	char want[400], *w = want;

	(void)state;
	for (unsigned i = 0; i < 16; i++)
		w = rsp_put_hex(w, &tgt.regs.gpr[i], 8);
	w = rsp_put_hex(w, &tgt.regs.rip, 8);
	w = rsp_put_hex(w, &tgt.regs.eflags, 4);
	rsp_put_hex(w, tgt.regs.seg, sizeof(tgt.regs.seg));
	assert_int_equal(strlen(want), 2 * GDB_REGS_BYTES);
	assert_string_equal(send("g"), framed(want));
	/* RIP is little-endian hex right after the 16 GPRs. */
	assert_memory_equal(want + 256, "0001010000", 10);
}

static void write_registers(void **state)
{
	struct gdb_regs before = tgt.regs;
	char hex[400];

	(void)state;
	send("g");
	/* P16 = RIP, P0 = RAX, both little-endian. */
	assert_string_equal(send("P10=efbeadde00000000"), framed("OK"));
	assert_int_equal(tgt.regs.rip, 0xdeadbeef);
	assert_string_equal(send("P0=0100000000000000"), framed("OK"));
	assert_int_equal(tgt.regs.gpr[0], 1);
	assert_string_equal(send("P11=0202"), framed("E16")); /* eflags is 4 bytes */
	assert_string_equal(send("P18=00000000"), framed("E16")); /* no such register */

	tgt.regs = before;
	before.gpr[3] = 0x42;
	rsp_put_hex(hex, before.gpr, sizeof(before.gpr));
	rsp_put_hex(hex + 256, &before.rip, 8);
	rsp_put_hex(hex + 272, &before.eflags, 4);
	rsp_put_hex(hex + 280, before.seg, sizeof(before.seg));
	char pkt[420] = "G";
	strcat(pkt, hex);
	assert_string_equal(send(pkt), framed("OK"));
	assert_int_equal(tgt.regs.gpr[3], 0x42);
	assert_string_equal(send("G0011"), framed("E16"));
}

static void read_and_write_memory(void **state)
{
	char pkt[64];

	(void)state;
	snprintf(pkt, sizeof(pkt), "m%llx,4", (unsigned long long)FAKE_VIRT + 0x10);
	assert_string_equal(send(pkt), framed("10111213"));
	/* Across the end: the bytes that exist. */
	snprintf(pkt, sizeof(pkt), "m%llx,4", (unsigned long long)FAKE_VIRT + FAKE_SIZE - 2);
	assert_string_equal(send(pkt), framed("feff"));
	/* Nothing there at all. */
	assert_string_equal(send("m0,4"), framed("E0e"));
	assert_string_equal(send("mzz,4"), framed("E16"));

	snprintf(pkt, sizeof(pkt), "M%llx,2:abcd", (unsigned long long)FAKE_VIRT + 0x20);
	assert_string_equal(send(pkt), framed("OK"));
	assert_int_equal(tgt.mem[0x20], 0xab);
	assert_int_equal(tgt.mem[0x21], 0xcd);
	snprintf(pkt, sizeof(pkt), "M%llx,2:ab", (unsigned long long)FAKE_VIRT + 0x20);
	assert_string_equal(send(pkt), framed("E16")); /* fewer digits than LEN */
	assert_string_equal(send("M0,1:00"), framed("E0e"));
}

static void monitor_phys_switches_address_space(void **state)
{
	char pkt[64], hex[32];

	(void)state;
	rsp_put_hex(hex, "phys", 4);
	snprintf(pkt, sizeof(pkt), "qRcmd,%s", hex);
	assert_non_null(strstr(send(pkt), "#"));
	assert_non_null(strstr(tgt.out, "$OK#"));
	snprintf(pkt, sizeof(pkt), "m%llx,1", (unsigned long long)FAKE_PHYS + 5);
	assert_string_equal(send(pkt), framed("05"));
	rsp_put_hex(hex, "virt", 4);
	snprintf(pkt, sizeof(pkt), "qRcmd,%s", hex);
	send(pkt);
	snprintf(pkt, sizeof(pkt), "m%llx,1", (unsigned long long)FAKE_PHYS + 5);
	assert_string_equal(send(pkt), framed("E0e"));
}

static void software_breakpoint(void **state)
{
	char pkt[64];
	uint64_t at = FAKE_VIRT + 0x100;

	(void)state;
	send("?");
	snprintf(pkt, sizeof(pkt), "Z0,%llx,1", (unsigned long long)at);
	assert_string_equal(send(pkt), framed("OK"));
	assert_int_equal(tgt.mem[0x100], 0xcc);
	assert_true(gdbstub_is_sw_bp(&stub, at));
	assert_false(gdbstub_is_sw_bp(&stub, at + 1));

	/* Continue: the #BP trap is armed, the guest runs, no reply yet. */
	assert_string_equal(send("c"), "+");
	assert_false(tgt.held);
	assert_true(tgt.debug.trap_int3);
	assert_false(tgt.debug.step);

	feed("");
	gdbstub_target_stopped(&stub, 0, GDB_STOP_SW_BP, at);
	assert_true(tgt.held);
	assert_string_equal(tgt.out, framed("T05thread:1;swbreak:;") + 1);

	/* GDB sees the original byte; a write there keeps the INT3 and
	 * changes what comes back when the breakpoint goes. */
	snprintf(pkt, sizeof(pkt), "m%llx,2", (unsigned long long)at);
	assert_string_equal(send(pkt), framed("0001"));
	snprintf(pkt, sizeof(pkt), "M%llx,1:90", (unsigned long long)at);
	assert_string_equal(send(pkt), framed("OK"));
	assert_int_equal(tgt.mem[0x100], 0xcc);

	snprintf(pkt, sizeof(pkt), "z0,%llx,1", (unsigned long long)at);
	assert_string_equal(send(pkt), framed("OK"));
	assert_int_equal(tgt.mem[0x100], 0x90); /* the (new) original byte is back */
	assert_false(gdbstub_is_sw_bp(&stub, at));
	assert_string_equal(send("Z0,0,1"), framed("E0e")); /* not mapped */
}

static void hardware_breakpoints_and_watchpoints(void **state)
{
	(void)state;
	send("?");
	assert_string_equal(send("Z1,401000,1"), framed("OK"));
	assert_string_equal(send("Z2,402000,8"), framed("OK"));
	assert_string_equal(send("Z4,403004,4"), framed("OK"));
	assert_string_equal(send("Z2,403001,4"), framed("E16")); /* unaligned */
	assert_string_equal(send("Z2,403000,3"), framed("E16")); /* no such length */
	assert_string_equal(send("Z3,403000,4"), framed(""));    /* read-only: x86 cannot */
	assert_string_equal(send("Z2,404000,1"), framed("OK"));
	assert_string_equal(send("Z2,405000,1"), framed("E1c")); /* four slots */
	send("c");
	assert_true(tgt.hw[0].used);
	assert_int_equal(tgt.hw[0].type, GDB_BP_HW);
	assert_int_equal(tgt.hw[0].addr, 0x401000);
	assert_int_equal(tgt.hw[1].len, 8);
	assert_int_equal(tgt.hw[2].type, GDB_WP_ACCESS);

	feed("");
	gdbstub_target_stopped(&stub, 0, GDB_STOP_WATCH, 0x402000);
	assert_string_equal(tgt.out, framed("T05thread:1;watch:402000;") + 1);
	assert_string_equal(send("z2,402000,8"), framed("OK"));
	assert_string_equal(send("Z2,405000,1"), framed("OK")); /* its slot is free again */
}

static void single_step(void **state)
{
	(void)state;
	send("?");
	assert_string_equal(send("s"), "+");
	assert_true(tgt.debug.step);
	assert_false(tgt.held);
	feed("");
	gdbstub_target_stopped(&stub, 0, GDB_STOP_STEP, 0);
	assert_string_equal(tgt.out, framed("T05thread:1;") + 1);
	assert_false(tgt.debug.step); /* held: no more stepping */
	/* s ADDR: resume from another address. */
	send("s401000");
	assert_int_equal(tgt.regs.rip, 0x401000);
}

static void ctrl_c_stops_a_running_guest(void **state)
{
	(void)state;
	send("?");
	send("c");
	assert_false(tgt.held);
	feed("\x03");
	assert_true(tgt.held);
	assert_string_equal(tgt.out, framed("T02thread:1;") + 1);
	assert_string_equal(send("?"), framed("T02thread:1;"));
	feed("\x03"); /* already stopped: nothing more */
	assert_string_equal(tgt.out, "");
}

static void detach_takes_breakpoints_out(void **state)
{
	(void)state;
	send("?");
	send("Z0,ffff800000010100,1");
	send("Z1,401000,1");
	assert_string_equal(send("D"), framed("OK"));
	assert_false(tgt.held);
	assert_int_equal(tgt.mem[0x100], 0x00);
	assert_false(tgt.debug.trap_int3);
	assert_false(tgt.hw[0].used);
	assert_false(gdbstub_is_sw_bp(&stub, FAKE_VIRT + 0x100));
}

static void guest_gone_tells_gdb(void **state)
{
	(void)state;
	send("?");
	send("c");
	feed("");
	gdbstub_target_gone(&stub, 3);
	assert_string_equal(tgt.out, framed("W03") + 1);
	/* The next debugger finds a new session. */
	send("?");
	assert_true(tgt.held);
}

static void escapes_in_both_directions(void **state)
{
	struct rsp r;
	char raw[16];
	unsigned sum = 0;

	(void)state;
	/* In: '}' escapes the next byte (XOR 0x20); the checksum is over the
	 * bytes as sent. "?}]" is the packet "?}". */
	strcpy(raw, "?}]");
	for (char *p = raw; *p; p++)
		sum += (uint8_t)*p;
	snprintf(raw, sizeof(raw), "$?}]#%02x", sum & 0xff);
	feed(raw);
	assert_string_equal(tgt.out, framed("T05thread:1;"));
	assert_string_equal(stub.rsp.buf, "?}");

	/* Out: '#', '$', '}' and '*' go escaped. */
	tgt.out_len = 0;
	rsp_init(&r, fake_put, &tgt);
	rsp_send(&r, "a#b", 3);
	sum = 'a' + '}' + ('#' ^ 0x20) + 'b';
	snprintf(raw, sizeof(raw), "$a}%cb#%02x", '#' ^ 0x20, sum & 0xff);
	assert_string_equal(tgt.out, raw);
}

static void oversized_packet_is_refused(void **state)
{
	static char big[RSP_PACKET_MAX + 10];

	(void)state;
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	send(big);
	assert_string_equal(tgt.out, "-");
	assert_int_equal(tgt.stops, 0);
	assert_string_equal(send("?"), framed("T05thread:1;")); /* and the stub goes on */
}

/* Four vCPUs, vCPU k's rbx = 0x1111... * (k + 1) (vCPU 0's is set up). */
static void four_cpus(void)
{
	tgt.n_cpus = 4;
	for (unsigned k = 1; k < 4; k++) {
		tgt.more[k] = tgt.regs;
		tgt.more[k].gpr[1] = 0x1111111111111111ull * (k + 1);
		tgt.more[k].rip = FAKE_VIRT + 0x200 + k;
	}
	tgt.regs.gpr[1] = 0x1111111111111111ull;
}

static void thread_list_has_each_vcpu(void **state)
{
	(void)state;
	four_cpus();
	assert_string_equal(send("qfThreadInfo"), framed("m1,2,3,4"));
	assert_string_equal(send("qsThreadInfo"), framed("l"));
	assert_string_equal(send("qC"), framed("QC1"));
	assert_string_equal(send("T1"), framed("OK"));
	assert_string_equal(send("T4"), framed("OK"));
	/* "vCPU 2, held", hex-encoded */
	assert_string_equal(send("qThreadExtraInfo,3"),
			    framed("7643505520322c2068656c64"));
}

static void thread_list_of_64(void **state)
{
	char want[400];
	int n;

	(void)state;
	tgt.n_cpus = 64;
	n = snprintf(want, sizeof(want), "m1");
	for (unsigned id = 2; id <= 64; id++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, ",%x", id);
	assert_string_equal(send("qfThreadInfo"), framed(want));
}

static void hg_selects_registers(void **state)
{
	char rbx[17];

	(void)state;
	four_cpus();
	send("?");
	assert_string_equal(send("Hg2"), framed("OK"));
	assert_string_equal(send("qC"), framed("QC2"));
	/* rbx is the second register of the g packet: hex digits 16-31. */
	memcpy(rbx, send("g") + 2 + 16, 16);
	rbx[16] = '\0';
	assert_string_equal(rbx, "2222222222222222");
	assert_string_equal(send("Hg4"), framed("OK"));
	memcpy(rbx, send("g") + 2 + 16, 16);
	assert_string_equal(rbx, "4444444444444444");
	/* P writes the selected vCPU's register, no other. */
	assert_string_equal(send("P1=efbeadde00000000"), framed("OK"));
	assert_int_equal(tgt.more[3].gpr[1], 0xdeadbeef);
	assert_int_equal(tgt.regs.gpr[1], 0x1111111111111111ull);
	/* 0 (any) and -1 (all): the vCPU that stopped, here vCPU 0. */
	assert_string_equal(send("Hg0"), framed("OK"));
	memcpy(rbx, send("g") + 2 + 16, 16);
	assert_string_equal(rbx, "1111111111111111");
	assert_string_equal(send("Hg-1"), framed("OK"));
	assert_string_equal(send("qC"), framed("QC1"));
}

static void bad_thread_ids_are_refused(void **state)
{
	(void)state;
	four_cpus();
	send("Hg3");
	assert_string_equal(send("Hg5"), framed("E16"));
	assert_string_equal(send("Hgzz"), framed("E16"));
	assert_string_equal(send("Hc5"), framed("E16"));
	assert_string_equal(send("Hx1"), framed("E16"));
	assert_string_equal(send("T5"), framed("E16"));
	assert_string_equal(send("T0"), framed("E16"));
	assert_string_equal(send("T-1"), framed("E16"));
	assert_string_equal(send("qThreadExtraInfo,9"), framed("E16"));
	assert_string_equal(send("qC"), framed("QC3")); /* Hg3 stays */
}

static void stop_reply_names_the_thread(void **state)
{
	(void)state;
	four_cpus();
	send("?");
	assert_string_equal(send("c"), "+");
	assert_false(tgt.cpu_held[2]);
	feed("");
	gdbstub_target_stopped(&stub, 1, GDB_STOP_SW_BP, FAKE_VIRT + 0x10);
	assert_string_equal(tgt.out, framed("T05thread:2;swbreak:;") + 1);
	for (unsigned k = 0; k < 4; k++)
		assert_true(tgt.cpu_held[k]); /* all-stop */
	/* The g packets now read the thread that stopped. */
	assert_string_equal(send("qC"), framed("QC2"));
	assert_string_equal(send("?"), framed("T05thread:2;swbreak:;"));
	assert_string_equal(send("c"), "+");
	feed("");
	gdbstub_target_stopped(&stub, 3, GDB_STOP_WATCH, 0x1000);
	assert_string_equal(tgt.out, framed("T05thread:4;watch:1000;") + 1);
	/* Ctrl-C while running: the stop names the selected thread. */
	send("c");
	feed("\x03");
	assert_string_equal(tgt.out, framed("T02thread:4;") + 1);
}

static void step_moves_the_hc_thread_alone(void **state)
{
	(void)state;
	four_cpus();
	send("?");
	assert_string_equal(send("Hc3"), framed("OK"));
	assert_string_equal(send("s"), "+");
	assert_int_equal(tgt.last_resume, 2);
	assert_true(tgt.step[2]);
	assert_false(tgt.step[0]);
	assert_false(tgt.cpu_held[2]);
	assert_true(tgt.cpu_held[0]);
	assert_true(tgt.cpu_held[1]);
	feed("");
	gdbstub_target_stopped(&stub, 2, GDB_STOP_STEP, 0);
	assert_string_equal(tgt.out, framed("T05thread:3;") + 1);
	assert_false(tgt.step[2]);
	/* Hc-1 then s: the Hg thread (the one that stopped). */
	send("Hc-1");
	send("s");
	assert_int_equal(tgt.last_resume, 2);
	feed("");
	gdbstub_target_stopped(&stub, 2, GDB_STOP_STEP, 0);
	/* c releases every vCPU, whatever Hc says. */
	send("Hc2");
	send("c");
	assert_int_equal(tgt.last_resume, GDB_ALL);
	for (unsigned k = 0; k < 4; k++)
		assert_false(tgt.cpu_held[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(bad_checksum_is_refused, setup),
		cmocka_unit_test_setup(first_packet_stops_the_guest, setup),
		cmocka_unit_test_setup(registers_in_gdb_order, setup),
		cmocka_unit_test_setup(write_registers, setup),
		cmocka_unit_test_setup(read_and_write_memory, setup),
		cmocka_unit_test_setup(monitor_phys_switches_address_space, setup),
		cmocka_unit_test_setup(software_breakpoint, setup),
		cmocka_unit_test_setup(hardware_breakpoints_and_watchpoints, setup),
		cmocka_unit_test_setup(single_step, setup),
		cmocka_unit_test_setup(ctrl_c_stops_a_running_guest, setup),
		cmocka_unit_test_setup(detach_takes_breakpoints_out, setup),
		cmocka_unit_test_setup(guest_gone_tells_gdb, setup),
		cmocka_unit_test_setup(escapes_in_both_directions, setup),
		cmocka_unit_test_setup(oversized_packet_is_refused, setup),
		cmocka_unit_test_setup(thread_list_has_each_vcpu, setup),
		cmocka_unit_test_setup(thread_list_of_64, setup),
		cmocka_unit_test_setup(hg_selects_registers, setup),
		cmocka_unit_test_setup(bad_thread_ids_are_refused, setup),
		cmocka_unit_test_setup(stop_reply_names_the_thread, setup),
		cmocka_unit_test_setup(step_moves_the_hc_thread_alone, setup),
	};

	return cmocka_run_group_tests_name("gdbstub", tests, NULL, NULL);
}
