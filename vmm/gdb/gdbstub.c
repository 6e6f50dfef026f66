/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub's packets (see gdbstub.h). GDB sees one thread per vCPU,
 * thread id = vCPU index + 1 (thread id 0 means "any" and -1 "all" in the
 * H packets, so the ids start at 1, as QEMU's do).
 */
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vmm/gdb/gdbstub.h"

/* errno-style error numbers GDB shows as "Remote failure reply: E14". */
#define ERR_INVAL "E16"
#define ERR_FAULT "E0e" /* the memory cannot be reached */
#define ERR_NOSPC "E1c" /* no breakpoint slot free */

static void reply(struct gdbstub *s, const char *p)
{
	rsp_send_str(&s->rsp, p);
}

/* Parses a hex number at *p, advances past it. */
static bool parse_hex(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	int d, n = 0;

	while ((d = parse_hex_digit(**p)) >= 0) {
		if (n++ == 16)
			return false;
		v = v << 4 | (uint64_t)d;
		(*p)++;
	}
	*out = v;
	return n > 0;
}

/* "ADDR,LEN" then the expected end character (or '\0'). */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len, char end)
{
	if (!parse_hex(p, addr) || **p != ',')
		return false;
	(*p)++;
	if (!parse_hex(p, len) || **p != end)
		return false;
	if (end)
		(*p)++;
	return true;
}

static unsigned threads(const struct gdbstub *s)
{
	unsigned n = s->ops->threads(s->target);

	return n < 1 ? 1 : n > GDB_MAX_THREADS ? GDB_MAX_THREADS : n;
}

/* The breakpoints and watchpoints go to every vCPU (each has its own debug
 * registers and exception bitmap); the step, to step_cpu alone (GDB_ALL:
 * none). */
static void push_debug(struct gdbstub *s, unsigned step_cpu)
{
	struct gdb_debug_setup d = { .hw = s->hw };

	for (unsigned i = 0; i < GDB_SW_SLOTS; i++)
		d.trap_int3 |= s->sw[i].used;
	for (unsigned cpu = 0; cpu < threads(s); cpu++) {
		d.step = cpu == step_cpu;
		s->ops->set_debug(s->target, cpu, &d);
	}
}

/* Every vCPU held; cpu is the one that stopped, the thread GDB is told
 * of and will look at first (its registers are the g ones from now on). */
static void hold(struct gdbstub *s, unsigned cpu, enum gdb_stop why, uint64_t addr)
{
	static const char *const text[] = {
		[GDB_STOP_ATTACH] = "",
		[GDB_STOP_INTERRUPT] = "",
		[GDB_STOP_SW_BP] = "swbreak:;",
		[GDB_STOP_HW_BP] = "hwbreak:;",
		[GDB_STOP_STEP] = "",
	};
	unsigned sig = why == GDB_STOP_INTERRUPT ? 2 : 5; /* SIGINT, SIGTRAP */

	if (cpu >= threads(s))
		cpu = 0;
	if (!s->stopped)
		s->ops->stop(s->target, cpu);
	s->stopped = true;
	s->stop_cpu = s->g_cpu = cpu;
	push_debug(s, GDB_ALL);
	if (why == GDB_STOP_WATCH)
		ksnprintf(s->stop_reply, sizeof(s->stop_reply),
			  "T%02xthread:%x;watch:%lx;", sig, cpu + 1, (unsigned long)addr);
	else
		ksnprintf(s->stop_reply, sizeof(s->stop_reply), "T%02xthread:%x;%s",
			  sig, cpu + 1, text[why]);
}

/* c releases every vCPU; s the Hc one (or, when Hc is "any" or "all",
 * the Hg one), the others staying held. An address goes to that one. */
static void go(struct gdbstub *s, const char *args, bool step)
{
	unsigned cpu = s->c_cpu == GDB_ALL ? s->g_cpu : s->c_cpu;
	uint64_t addr;

	if (*args) {
		struct gdb_regs r;

		if (!parse_hex(&args, &addr) || *args) {
			reply(s, ERR_INVAL);
			return;
		}
		s->ops->get_regs(s->target, cpu, &r);
		r.rip = addr;
		s->ops->set_regs(s->target, cpu, &r);
	}
	push_debug(s, step ? cpu : GDB_ALL);
	s->stopped = false;
	/* the reply is the stop reply, later */
	s->ops->resume(s->target, step ? cpu : GDB_ALL);
}

/* A thread id of an H or T packet: "-1" all, "0" any, else 1 .. N.
 * False for anything else. */
static bool parse_thread(const struct gdbstub *s, const char *p, unsigned *cpu,
			 bool *any)
{
	uint64_t id;

	*any = false;
	if (!strcmp(p, "-1")) {
		*cpu = GDB_ALL;
		return true;
	}
	if (!parse_hex(&p, &id) || *p)
		return false;
	if (id == 0) {
		*any = true;
		*cpu = GDB_ALL;
		return true;
	}
	if (id > threads(s))
		return false;
	*cpu = (unsigned)id - 1;
	return true;
}

/* Hg selects whose registers and memory the next packets see ("any" and
 * "all": the one that stopped); Hc the one s steps. */
static void set_thread(struct gdbstub *s, const char *p)
{
	char op = *p++;
	unsigned cpu;
	bool any;

	if ((op != 'g' && op != 'c') || !parse_thread(s, p, &cpu, &any)) {
		reply(s, ERR_INVAL);
		return;
	}
	if (op == 'g')
		s->g_cpu = cpu == GDB_ALL ? s->stop_cpu : cpu;
	else
		s->c_cpu = cpu;
	reply(s, "OK");
}

static void thread_alive(struct gdbstub *s, const char *p)
{
	unsigned cpu;
	bool any;

	reply(s, parse_thread(s, p, &cpu, &any) && cpu != GDB_ALL ? "OK" : ERR_INVAL);
}

/* Take out every breakpoint and let the guest go: detach and kill (the
 * guest is not killed: it goes on without a debugger). */
static void release(struct gdbstub *s)
{
	for (unsigned i = 0; i < GDB_SW_SLOTS; i++)
		if (s->sw[i].used)
			s->ops->write_mem(s->target, s->g_cpu, s->sw[i].addr,
					  &s->sw[i].orig, 1, false);
	memset(s->sw, 0, sizeof(s->sw));
	memset(s->hw, 0, sizeof(s->hw));
	s->attached = false;
	s->phys = false;
	if (s->stopped) {
		push_debug(s, GDB_ALL);
		s->stopped = false;
		s->ops->resume(s->target, GDB_ALL);
	}
}

static void read_regs(struct gdbstub *s)
{
	struct gdb_regs r;
	char *o = s->out;

	s->ops->get_regs(s->target, s->g_cpu, &r);
	o = rsp_put_hex(o, r.gpr, sizeof(r.gpr));
	o = rsp_put_hex(o, &r.rip, 8);
	o = rsp_put_hex(o, &r.eflags, 4);
	rsp_put_hex(o, r.seg, sizeof(r.seg));
	reply(s, s->out);
}

static void write_regs(struct gdbstub *s, const char *hex)
{
	struct gdb_regs r;

	if (strlen(hex) < 2 * GDB_REGS_BYTES ||
	    !rsp_get_hex(hex, r.gpr, sizeof(r.gpr)) ||
	    !rsp_get_hex(hex + 256, &r.rip, 8) ||
	    !rsp_get_hex(hex + 272, &r.eflags, 4) ||
	    !rsp_get_hex(hex + 280, r.seg, sizeof(r.seg))) {
		reply(s, ERR_INVAL);
		return;
	}
	s->ops->set_regs(s->target, s->g_cpu, &r);
	reply(s, "OK");
}

/* P n=value: one register. */
static void write_reg(struct gdbstub *s, const char *args)
{
	struct gdb_regs r;
	uint64_t n, v = 0;
	size_t width;

	if (!parse_hex(&args, &n) || *args++ != '=') {
		reply(s, ERR_INVAL);
		return;
	}
	width = n < 17 ? 8 : 4;
	if (n >= GDB_NUM_REGS || strlen(args) != 2 * width ||
	    !rsp_get_hex(args, &v, width)) {
		reply(s, ERR_INVAL);
		return;
	}
	s->ops->get_regs(s->target, s->g_cpu, &r);
	if (n < 16)
		r.gpr[n] = v;
	else if (n == 16)
		r.rip = v;
	else if (n == 17)
		r.eflags = (uint32_t)v;
	else
		r.seg[n - 18] = (uint32_t)v;
	s->ops->set_regs(s->target, s->g_cpu, &r);
	reply(s, "OK");
}

/* Memory as GDB believes it is: its breakpoints' INT3 bytes show as the
 * original bytes, and a write over one changes what is restored when it
 * is taken out, the INT3 staying. (Guest-physical accesses are not
 * matched against the breakpoints, which are guest-virtual.) */
static void unpatch(struct gdbstub *s, uint64_t addr, uint8_t *buf, size_t len)
{
	for (unsigned i = 0; i < GDB_SW_SLOTS; i++)
		if (s->sw[i].used && s->sw[i].addr - addr < len)
			buf[s->sw[i].addr - addr] = s->sw[i].orig;
}

static void repatch(struct gdbstub *s, uint64_t addr, const uint8_t *buf, size_t len)
{
	static const uint8_t int3 = 0xcc;

	for (unsigned i = 0; i < GDB_SW_SLOTS; i++) {
		if (!s->sw[i].used || s->sw[i].addr - addr >= len)
			continue;
		s->sw[i].orig = buf[s->sw[i].addr - addr];
		s->ops->write_mem(s->target, s->g_cpu, s->sw[i].addr, &int3, 1, false);
	}
}

static void read_mem(struct gdbstub *s, const char *args)
{
	uint8_t buf[RSP_PACKET_MAX / 2];
	uint64_t addr, len;
	size_t done;

	if (!parse_addr_len(&args, &addr, &len, '\0')) {
		reply(s, ERR_INVAL);
		return;
	}
	if (len > sizeof(buf))
		len = sizeof(buf);
	done = s->ops->read_mem(s->target, s->g_cpu, addr, buf, len, s->phys);
	if (!done && len) {
		reply(s, ERR_FAULT);
		return;
	}
	if (!s->phys)
		unpatch(s, addr, buf, done);
	rsp_put_hex(s->out, buf, done); /* a short read is a valid answer */
	reply(s, s->out);
}

static void write_mem(struct gdbstub *s, const char *args)
{
	uint8_t buf[RSP_PACKET_MAX / 2];
	uint64_t addr, len;

	if (!parse_addr_len(&args, &addr, &len, ':') || len > sizeof(buf) ||
	    strlen(args) != 2 * len || !rsp_get_hex(args, buf, len)) {
		reply(s, ERR_INVAL);
		return;
	}
	if (s->ops->write_mem(s->target, s->g_cpu, addr, buf, len, s->phys) != len) {
		reply(s, ERR_FAULT);
		return;
	}
	if (!s->phys)
		repatch(s, addr, buf, len);
	reply(s, "OK");
}

static const char *insert_sw(struct gdbstub *s, uint64_t addr)
{
	static const uint8_t int3 = 0xcc;
	int free_slot = -1;
	uint8_t orig;

	for (int i = 0; i < GDB_SW_SLOTS; i++) {
		if (s->sw[i].used && s->sw[i].addr == addr)
			return "OK";
		if (!s->sw[i].used && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return ERR_NOSPC;
	if (s->ops->read_mem(s->target, s->g_cpu, addr, &orig, 1, false) != 1 ||
	    s->ops->write_mem(s->target, s->g_cpu, addr, &int3, 1, false) != 1)
		return ERR_FAULT;
	s->sw[free_slot].used = true;
	s->sw[free_slot].addr = addr;
	s->sw[free_slot].orig = orig;
	return "OK";
}

static const char *remove_sw(struct gdbstub *s, uint64_t addr)
{
	for (int i = 0; i < GDB_SW_SLOTS; i++) {
		if (!s->sw[i].used || s->sw[i].addr != addr)
			continue;
		s->sw[i].used = false;
		if (s->ops->write_mem(s->target, s->g_cpu, addr, &s->sw[i].orig, 1,
				      false) != 1)
			return ERR_FAULT;
		return "OK";
	}
	return "OK"; /* not set: nothing to do */
}

/* DR7's rules (SDM Vol. 3B, 17.2.5): 1, 2, 4 or 8 bytes, aligned. */
static const char *insert_hw(struct gdbstub *s, unsigned type, uint64_t addr,
			     uint64_t len)
{
	int free_slot = -1;

	if (type == GDB_BP_HW)
		len = 1;
	if ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1)))
		return ERR_INVAL;
	for (int i = 0; i < GDB_HW_SLOTS; i++) {
		if (s->hw[i].used && s->hw[i].type == type && s->hw[i].addr == addr)
			return "OK";
		if (!s->hw[i].used && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return ERR_NOSPC;
	s->hw[free_slot] = (struct gdb_hw_bp){ true, (uint8_t)type, (uint8_t)len, addr };
	return "OK";
}

static const char *remove_hw(struct gdbstub *s, unsigned type, uint64_t addr)
{
	for (int i = 0; i < GDB_HW_SLOTS; i++)
		if (s->hw[i].used && s->hw[i].type == type && s->hw[i].addr == addr)
			s->hw[i].used = false;
	return "OK";
}

/* Z/z TYPE,ADDR,KIND */
static void breakpoint(struct gdbstub *s, const char *args, bool insert)
{
	uint64_t type, addr, kind;

	if (!parse_hex(&args, &type) || *args++ != ',' ||
	    !parse_addr_len(&args, &addr, &kind, '\0')) {
		if (*args == ';') /* conditions on the target: not supported */
			reply(s, "");
		else
			reply(s, ERR_INVAL);
		return;
	}
	if (type == GDB_BP_SW)
		reply(s, insert ? insert_sw(s, addr) : remove_sw(s, addr));
	else if (type == GDB_BP_HW || type == GDB_WP_WRITE || type == GDB_WP_ACCESS)
		reply(s, insert ? insert_hw(s, (unsigned)type, addr, kind)
				: remove_hw(s, (unsigned)type, addr));
	else
		reply(s, ""); /* read watchpoints: GDB falls back to access ones */
}

/* "monitor CMD": the answer goes out as console output ('O' packets). */
static void monitor(struct gdbstub *s, const char *hex)
{
	char cmd[64], msg[256];
	size_t n = strlen(hex) / 2;

	if (n >= sizeof(cmd) || !rsp_get_hex(hex, cmd, n)) {
		reply(s, ERR_INVAL);
		return;
	}
	cmd[n] = '\0';
	if (!strcmp(cmd, "phys") || !strcmp(cmd, "virt") || !strcmp(cmd, "mode")) {
		if (strcmp(cmd, "mode"))
			s->phys = !strcmp(cmd, "phys");
		ksnprintf(msg, sizeof(msg), "memory addresses are guest-%s\n",
			  s->phys ? "physical" : "virtual (through the guest's page tables)");
	} else {
		static const char help[] = "Shale monitor commands: phys (addresses are "
			"guest-physical), virt (guest-virtual, the default), mode\n";

		if (!strcmp(cmd, "help"))
			ksnprintf(msg, sizeof(msg), "%s", help);
		else
			ksnprintf(msg, sizeof(msg), "unknown command \"%s\"; %s", cmd, help);
	}
	s->out[0] = 'O';
	rsp_put_hex(s->out + 1, msg, strlen(msg));
	reply(s, s->out);
	reply(s, "OK");
}

static bool starts(const char *p, const char *word)
{
	return !strncmp(p, word, strlen(word));
}

static void query(struct gdbstub *s, const char *p)
{
	if (starts(p, "qSupported"))
		ksnprintf(s->out, sizeof(s->out), "PacketSize=%x;swbreak+;hwbreak+",
			  RSP_PACKET_MAX);
	else if (!strcmp(p, "qAttached"))
		ksnprintf(s->out, sizeof(s->out), "%s", "1"); /* attached to a running guest: detach, not kill */
	else if (!strcmp(p, "qC"))
		ksnprintf(s->out, sizeof(s->out), "QC%x", s->g_cpu + 1);
	else if (!strcmp(p, "qfThreadInfo")) {
		/* All of them at once: 64 ids fit in one packet. */
		char *o = s->out;

		*o++ = 'm';
		for (unsigned cpu = 0; cpu < threads(s); cpu++)
			o += ksnprintf(o, 8, cpu ? ",%x" : "%x", cpu + 1);
	} else if (!strcmp(p, "qsThreadInfo"))
		ksnprintf(s->out, sizeof(s->out), "%s", "l");
	else if (starts(p, "qThreadExtraInfo,")) {
		char text[96];
		unsigned cpu;
		bool any;

		if (!parse_thread(s, p + 17, &cpu, &any) || cpu == GDB_ALL) {
			reply(s, ERR_INVAL);
			return;
		}
		s->ops->describe(s->target, cpu, text, sizeof(text));
		text[sizeof(text) - 1] = '\0';
		rsp_put_hex(s->out, text, strlen(text));
	}
	else if (starts(p, "qSymbol"))
		ksnprintf(s->out, sizeof(s->out), "%s", "OK");
	else if (starts(p, "qRcmd,")) {
		monitor(s, p + 6);
		return;
	} else
		s->out[0] = '\0';
	reply(s, s->out);
}

static void packet(struct gdbstub *s, const char *p)
{
	/* GDB connecting, or speaking while the guest runs (all-stop mode
	 * allows only Ctrl-C then): hold the guest first. */
	if (!s->stopped)
		hold(s, s->stop_cpu, GDB_STOP_ATTACH, 0);
	s->attached = true;

	switch (p[0]) {
	case '?':
		reply(s, s->stop_reply);
		break;
	case 'g':
		read_regs(s);
		break;
	case 'G':
		write_regs(s, p + 1);
		break;
	case 'P':
		write_reg(s, p + 1);
		break;
	case 'm':
		read_mem(s, p + 1);
		break;
	case 'M':
		write_mem(s, p + 1);
		break;
	case 'c':
		go(s, p + 1, false);
		break;
	case 's':
		go(s, p + 1, true);
		break;
	case 'Z':
	case 'z':
		breakpoint(s, p + 1, p[0] == 'Z');
		break;
	case 'H':
		set_thread(s, p + 1);
		break;
	case 'T':
		thread_alive(s, p + 1);
		break;
	case 'D':
		reply(s, "OK");
		release(s);
		break;
	case 'k':
		release(s);
		break;
	case 'q':
		query(s, p);
		break;
	default:
		reply(s, ""); /* not supported; includes X, p, v packets */
	}
}

void gdbstub_init(struct gdbstub *s, const struct gdb_target_ops *ops,
		  void *target, void (*put)(void *ctx, const char *p, size_t len),
		  void *ctx)
{
	memset(s, 0, sizeof(*s));
	rsp_init(&s->rsp, put, ctx);
	s->ops = ops;
	s->target = target;
	s->c_cpu = GDB_ALL;
	ksnprintf(s->stop_reply, sizeof(s->stop_reply), "%s", "T05thread:1;");
}

void gdbstub_input(struct gdbstub *s, uint8_t c)
{
	switch (rsp_feed(&s->rsp, c)) {
	case RSP_PACKET:
		packet(s, s->rsp.buf);
		break;
	case RSP_INTERRUPT:
		if (!s->stopped) {
			hold(s, s->g_cpu, GDB_STOP_INTERRUPT, 0);
			reply(s, s->stop_reply);
		}
		break;
	case RSP_NONE:
		break;
	}
}

void gdbstub_target_stopped(struct gdbstub *s, unsigned cpu, enum gdb_stop why,
			    uint64_t addr)
{
	hold(s, cpu, why, addr);
	if (s->attached)
		reply(s, s->stop_reply);
}

bool gdbstub_is_sw_bp(const struct gdbstub *s, uint64_t addr)
{
	for (unsigned i = 0; i < GDB_SW_SLOTS; i++)
		if (s->sw[i].used && s->sw[i].addr == addr)
			return true;
	return false;
}

void gdbstub_target_gone(struct gdbstub *s, uint8_t status)
{
	char msg[8];

	memset(s->sw, 0, sizeof(s->sw));
	memset(s->hw, 0, sizeof(s->hw));
	if (s->attached) {
		ksnprintf(msg, sizeof(msg), "W%02x", status);
		reply(s, msg);
	}
	s->attached = false;
	s->stopped = false;
	s->phys = false;
	s->g_cpu = s->stop_cpu = 0;
	s->c_cpu = GDB_ALL;
	ksnprintf(s->stop_reply, sizeof(s->stop_reply), "%s", "T05thread:1;");
}
