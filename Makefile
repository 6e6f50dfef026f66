# Shale — build, run and test. `make run` and `make test` are the two entry
# points; both install the Debian packages they need on first use.

BUILD   := build
CC      := gcc
NASM    := nasm
PYTHON  := python3

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CRT := $(EFI_LIB)/crt0-efi-x86_64.o

WARN    := -Wall -Wextra -Werror
# The hypervisor: freestanding, position independent (a UEFI image is
# relocated by the firmware), no red zone (exception frames land on the
# stack), no SSE (Shale never touches vector registers, so the guests' are
# switched only between guests: arch/x86/xstate.c), frame pointers
# kept for the backtrace in crash reports.
HV_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fpic -fno-stack-protector \
	-fshort-wchar -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
	-fno-strict-aliasing -fno-builtin -I. -DSHALE_HYPERVISOR
# Only boot/ sees the UEFI headers: after ExitBootServices nothing may call
# the firmware, and code outside boot/ cannot by construction.
BOOT_CFLAGS := -I$(EFI_INC) -I$(EFI_INC)/x86_64 -DGNU_EFI_USE_MS_ABI

HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I.

HV_DIRS  := boot arch/x86 vmm vmm/vdev vmm/load vmm/gdb drivers lib
HV_CSRC  := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c))
HV_ASRC  := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.asm))
HV_OBJS  := $(patsubst %.c,$(BUILD)/hv/%.o,$(HV_CSRC)) \
	    $(patsubst %.asm,$(BUILD)/hv/%.o,$(HV_ASRC))

.PHONY: all deps run test test-unit test-emu bench fuzz clean guests disk tools linux

all: $(BUILD)/shale.efi tools guests

# ---------------------------------------------------------------- packages
# seabios: QEMU's own BIOS, whose Multiboot loader the side-by-side cases
# (tests/emu/cases_multiboot_qemu.py) boot; qemu-system-x86 pulls it in too.
DEPS_PKGS := gcc make nasm gnu-efi mtools gdisk dosfstools bochs bochsbios \
	vgabios ovmf qemu-system-x86 seabios libcmocka-dev cpio python3 clang \
	libclang-rt-14-dev busybox-static gzip gdb
DEPS_STAMP := $(BUILD)/.deps-ok

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS_PKGS)
	mkdir -p $(BUILD) && touch $(DEPS_STAMP)

# Installs the packages only when one is missing, so `make test` on a
# prepared machine costs nothing here.
$(DEPS_STAMP):
	@missing=""; for p in $(DEPS_PKGS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "make: installing$$missing"; $(MAKE) deps; \
	else mkdir -p $(BUILD) && touch $@; fi

# ---------------------------------------------------------------- hypervisor
$(BUILD)/hv/boot/%.o: boot/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) $(BOOT_CFLAGS) -MMD -c $< -o $@

$(BUILD)/hv/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -c $< -o $@

$(BUILD)/hv/%.o: %.asm | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) -f elf64 -g -I. -MD $(@:.o=.d) -o $@ $<

# The image is linked twice, for the symbol table that crash reports name
# functions with (lib/symtab.h): the first link has an empty table, and `nm`
# of it gives the real one, which the second link places after all code
# (it is data, which linker.ld puts after .text), so its size cannot move a
# function. The
# second link fails if a function moved anyway: its own nm must give the
# very table it contains.
HV_LD = ld -nostdlib -znocombreloc -shared -Bsymbolic -T linker.ld \
	$(EFI_CRT) $(HV_OBJS) $(1) -L$(EFI_LIB) -lgnuefi -lefi -o $(2)

$(BUILD)/gen/symtab-empty.c: tools/mksyms.py | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(PYTHON) tools/mksyms.py </dev/null >$@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -c $< -o $@

$(BUILD)/shale-nosyms.so: $(HV_OBJS) $(BUILD)/gen/symtab-empty.o linker.ld
	@echo "  LD      $@"
	@$(call HV_LD,$(BUILD)/gen/symtab-empty.o,$@)

$(BUILD)/gen/symtab.c: $(BUILD)/shale-nosyms.so tools/mksyms.py
	@echo "  SYMS    $@"
	@nm -n $< | $(PYTHON) tools/mksyms.py >$@

$(BUILD)/shale.so: $(HV_OBJS) $(BUILD)/gen/symtab.o linker.ld
	@echo "  LD      $@"
	@$(call HV_LD,$(BUILD)/gen/symtab.o,$@.tmp)
	@nm -n $@.tmp | $(PYTHON) tools/mksyms.py | cmp -s - $(BUILD)/gen/symtab.c || \
		{ echo "error: functions moved when the symbol table was linked in" \
		       "(see linker.ld and the Makefile)"; exit 1; }
	@mv $@.tmp $@

$(BUILD)/shale.efi: $(BUILD)/shale.so
	@objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@
	@echo "built $@ ($$(stat -c %s $@) bytes)"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- host tools
tools: $(BUILD)/shale-cfgcheck

$(BUILD)/shale-cfgcheck: tools/shale-cfgcheck.c vmm/config.c vmm/config_values.c vmm/config_disk.c vmm/config_net.c vmm/guest_ram.c lib/parse.c lib/printf.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(HOST_CFLAGS) -o $@ $^

# ---------------------------------------------------------------- test guests
GUEST_SRC := $(wildcard tests/guests/*.asm)
GUEST_BIN := $(patsubst tests/guests/%.asm,$(BUILD)/guests/%.bin,$(GUEST_SRC))

guests: $(GUEST_BIN)

$(BUILD)/guests/%.bin: tests/guests/%.asm $(wildcard tests/guests/*.inc) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) -f bin -I tests/guests/ -o $@ $<

# Multiboot test kernels (tests/guests/mb/): ELF32 files linked at 1M, and
# mbraw and mbqraw, flat binaries placed by their header's address fields
# (flag 16).
MB_DEPS := $(wildcard tests/guests/mb/*.inc) tests/guests/mb/mbtest.ld
MB_ELF := $(patsubst tests/guests/mb/%.asm,$(BUILD)/guests/mb/%.elf,\
	$(filter-out tests/guests/mb/mbraw.asm tests/guests/mb/mbqraw.asm tests/guests/mb/mb64.asm,\
	$(wildcard tests/guests/mb/*.asm)))
guests: $(MB_ELF) $(BUILD)/guests/mb/mbraw.bin $(BUILD)/guests/mb/mbqraw.bin \
	$(BUILD)/guests/mb/mb64.elf

$(BUILD)/guests/mb/%.elf: tests/guests/mb/%.asm $(MB_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  NASM+LD $<"
	@$(NASM) -f elf32 -I tests/guests/mb/ -o $(@:.elf=.o) $<
	@ld -m elf_i386 --no-warn-rwx-segments -T tests/guests/mb/mbtest.ld -o $@ $(@:.elf=.o)

# mb64: the same 32-bit code in an ELF64 file.
$(BUILD)/guests/mb/mb64.elf: tests/guests/mb/mb64.asm $(MB_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  NASM+LD $<"
	@$(NASM) -f elf64 -I tests/guests/mb/ -o $(@:.elf=.o) $<
	@ld -m elf_x86_64 --no-warn-rwx-segments -T tests/guests/mb/mbtest.ld -o $@ $(@:.elf=.o)

$(BUILD)/guests/mb/%.bin: tests/guests/mb/%.asm $(MB_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) -f bin -I tests/guests/mb/ -o $@ $<

# ---------------------------------------------------------------- Linux guest
# Debian's own kernel (downloaded from Debian's archive by apt, unpacked,
# not rebuilt) and a busybox initramfs, for the Linux tests and `make run`.
LINUX := $(BUILD)/linux/vmlinuz $(BUILD)/linux/initrd.gz

$(BUILD)/linux/vmlinuz: tests/linux/fetch-kernel.sh | $(DEPS_STAMP)
	@tests/linux/fetch-kernel.sh $(BUILD)/linux

# The initramfs takes the virtio modules that come with the kernel.
$(BUILD)/linux/initrd.gz: tests/linux/mkinitrd.sh tests/linux/init tests/linux/tsc.c \
		tests/linux/tlb.c $(BUILD)/linux/vmlinuz | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@tests/linux/mkinitrd.sh $@

linux: $(LINUX)

# ---------------------------------------------------------------- unit tests
# Each host test links the pure modules it exercises; nothing here needs
# UEFI or VT-x.
UNIT_decode    := arch/x86/decode.c
UNIT_config    := vmm/config.c vmm/config_values.c vmm/config_disk.c vmm/config_net.c vmm/guest_ram.c lib/parse.c lib/printf.c
UNIT_config_errors := vmm/config.c vmm/config_values.c vmm/config_disk.c vmm/config_net.c vmm/guest_ram.c lib/parse.c lib/printf.c
UNIT_config_disk := vmm/config.c vmm/config_values.c vmm/config_disk.c vmm/config_net.c vmm/guest_ram.c lib/parse.c lib/printf.c
UNIT_config_net := vmm/config.c vmm/config_values.c vmm/config_disk.c vmm/config_net.c vmm/guest_ram.c lib/parse.c lib/printf.c
UNIT_ept       := arch/x86/ept.c
UNIT_madt      := arch/x86/madt.c arch/x86/acpi_table.c lib/printf.c
UNIT_page_alloc := vmm/page_alloc.c
UNIT_placement := vmm/placement.c
UNIT_netswitch := vmm/netswitch.c lib/spinlock.c
UNIT_vmx_controls := arch/x86/vmx_controls.c
UNIT_exit_qual := arch/x86/exit_qual.c
UNIT_xcr0      := arch/x86/xcr0.c
UNIT_mce       := arch/x86/mce_classify.c
UNIT_tsc_source := arch/x86/tsc_source.c lib/printf.c
UNIT_init_wait  := arch/x86/init_wait.c
UNIT_log_defer  := lib/log.c lib/printf.c lib/spinlock.c
UNIT_spcr      := arch/x86/acpi_spcr.c arch/x86/acpi_table.c lib/printf.c
UNIT_mcfg      := arch/x86/acpi_mcfg.c arch/x86/acpi_table.c lib/printf.c
UNIT_uart_mmio := drivers/uart.c drivers/uart_mmio.c drivers/uart_choice.c arch/x86/acpi_spcr.c arch/x86/acpi_table.c lib/printf.c
UNIT_dr        := arch/x86/dr_rules.c
UNIT_spec_ctrl := arch/x86/spec_ctrl.c
UNIT_printf    := lib/printf.c
UNIT_symtab    := lib/symtab.c
UNIT_guest_walk := vmm/guest_mem.c
UNIT_guest_ram := vmm/guest_ram.c lib/printf.c
VDEV_DEPS      := vmm/io.c vmm/mmio.c lib/printf.c
UNIT_pic8259   := vmm/vdev/pic8259.c $(VDEV_DEPS)
UNIT_pit8254   := vmm/vdev/pit8254.c $(VDEV_DEPS)
UNIT_rtc       := vmm/vdev/rtc.c $(VDEV_DEPS)
UNIT_uart16550 := vmm/vdev/uart16550.c $(VDEV_DEPS)
UNIT_uart16550_irq := vmm/vdev/uart16550.c $(VDEV_DEPS)
UNIT_acpi      := vmm/vdev/acpi.c $(VDEV_DEPS)
UNIT_acpi_pm   := vmm/vdev/acpi_pm.c $(VDEV_DEPS)
UNIT_lapic     := vmm/vdev/lapic.c vmm/vdev/lapic_timer.c vmm/vdev/lapic_virt.c vmm/vdev/lapic_base.c $(VDEV_DEPS)
UNIT_lapic_virt := vmm/vdev/lapic.c vmm/vdev/lapic_timer.c vmm/vdev/lapic_virt.c vmm/vdev/lapic_base.c $(VDEV_DEPS)
UNIT_lapic_timer := vmm/vdev/lapic.c vmm/vdev/lapic_timer.c vmm/vdev/lapic_virt.c vmm/vdev/lapic_base.c $(VDEV_DEPS)
UNIT_lapic_trapped := vmm/vdev/lapic.c vmm/vdev/lapic_timer.c vmm/vdev/lapic_virt.c vmm/vdev/lapic_base.c $(VDEV_DEPS)
UNIT_lapic_nmi := vmm/vdev/lapic.c vmm/vdev/lapic_timer.c vmm/vdev/lapic_virt.c vmm/vdev/lapic_base.c $(VDEV_DEPS)
UNIT_lapic_base := vmm/vdev/lapic.c vmm/vdev/lapic_timer.c vmm/vdev/lapic_virt.c vmm/vdev/lapic_base.c $(VDEV_DEPS)
UNIT_ioapic    := vmm/vdev/ioapic.c $(VDEV_DEPS)
UNIT_pci       := vmm/vdev/pci.c $(VDEV_DEPS)
UNIT_fw_cfg    := vmm/vdev/fw_cfg.c $(VDEV_DEPS)
UNIT_debugport := vmm/vdev/debugport.c $(VDEV_DEPS)
UNIT_virtqueue := vmm/vdev/virtio_queue.c vmm/guest_ram.c lib/printf.c
UNIT_virtio_pci := vmm/vdev/virtio_pci.c vmm/vdev/msix.c vmm/vdev/virtio_queue.c vmm/vdev/pci.c vmm/guest_ram.c $(VDEV_DEPS)
UNIT_virtio_msix := vmm/vdev/virtio_pci.c vmm/vdev/msix.c vmm/vdev/virtio_queue.c vmm/vdev/pci.c vmm/guest_ram.c $(VDEV_DEPS)
UNIT_virtio_rng := vmm/vdev/virtio_rng.c vmm/vdev/virtio_pci.c vmm/vdev/msix.c vmm/vdev/virtio_queue.c vmm/vdev/pci.c vmm/guest_ram.c $(VDEV_DEPS)
UNIT_virtio_blk := vmm/vdev/virtio_blk.c vmm/vdev/virtio_pci.c vmm/vdev/msix.c vmm/vdev/virtio_queue.c vmm/vdev/pci.c vmm/guest_ram.c $(VDEV_DEPS)
UNIT_virtio_console := vmm/vdev/virtio_console.c vmm/vdev/virtio_pci.c vmm/vdev/msix.c vmm/vdev/virtio_queue.c vmm/vdev/pci.c vmm/guest_ram.c $(VDEV_DEPS)
UNIT_virtio_net := vmm/vdev/virtio_net.c vmm/vdev/virtio_pci.c vmm/vdev/msix.c vmm/vdev/virtio_queue.c vmm/vdev/pci.c vmm/guest_ram.c $(VDEV_DEPS)
UNIT_bzimage   := vmm/load/bzimage.c lib/printf.c
UNIT_bzimage_load := vmm/load/bzimage.c vmm/guest_ram.c lib/printf.c
UNIT_multiboot := vmm/load/multiboot.c vmm/load/bzimage.c vmm/guest_ram.c lib/printf.c
UNIT_gdbstub   := vmm/gdb/gdbstub.c vmm/gdb/rsp.c lib/parse.c lib/printf.c
UNIT_fbcon     := drivers/fbcon.c drivers/font.c lib/log.c lib/printf.c lib/spinlock.c


.SECONDEXPANSION:
UNIT_TESTS := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

$(BUILD)/unit/test_%: tests/unit/test_%.c $$(UNIT_$$*) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(HOST_CFLAGS) -DSHALE_UNIT_TEST -o $@ $< $(UNIT_$*) -lcmocka

test-unit: $(UNIT_BINS)
	$(PYTHON) tests/run_unit.py $(UNIT_BINS)

# ---------------------------------------------------------------- fuzzing
# libFuzzer targets for the parsers that take outside input. `make test`
# runs each briefly; `make fuzz` runs them for FUZZ_SECONDS each.
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_config := vmm/config.c vmm/config_values.c vmm/config_disk.c vmm/config_net.c vmm/guest_ram.c lib/parse.c lib/printf.c
FUZZ_decode := arch/x86/decode.c
FUZZ_acpi_tables := arch/x86/acpi_spcr.c arch/x86/acpi_mcfg.c arch/x86/madt.c arch/x86/acpi_table.c lib/printf.c
FUZZ_bzimage := vmm/load/bzimage.c vmm/guest_ram.c lib/printf.c
FUZZ_multiboot := vmm/load/multiboot.c vmm/load/bzimage.c vmm/guest_ram.c lib/printf.c
FUZZ_gdbstub := vmm/gdb/gdbstub.c vmm/gdb/rsp.c lib/parse.c lib/printf.c
FUZZ_virtqueue := vmm/vdev/virtio_blk.c vmm/vdev/virtio_pci.c vmm/vdev/msix.c vmm/vdev/pci.c vmm/io.c vmm/mmio.c vmm/vdev/virtio_queue.c vmm/guest_ram.c lib/printf.c
FUZZ_fbcon := drivers/fbcon.c drivers/font.c
FUZZ_net := vmm/vdev/virtio_net.c vmm/netswitch.c vmm/vdev/virtio_pci.c vmm/vdev/msix.c \
	vmm/vdev/virtio_queue.c vmm/vdev/pci.c vmm/io.c vmm/mmio.c vmm/guest_ram.c lib/printf.c lib/spinlock.c
FUZZ_vdev := vmm/vdev/uart16550.c vmm/vdev/pic8259.c vmm/vdev/pit8254.c \
	vmm/vdev/rtc.c vmm/vdev/ioapic.c vmm/vdev/lapic.c vmm/vdev/lapic_timer.c \
	vmm/vdev/lapic_virt.c vmm/vdev/lapic_base.c vmm/vdev/acpi.c vmm/vdev/acpi_pm.c vmm/vdev/pci.c \
	vmm/vdev/testdev.c vmm/vdev/fw_cfg.c vmm/vdev/debugport.c vmm/vdev/virtio_pci.c vmm/vdev/msix.c \
	vmm/vdev/virtio_queue.c vmm/vdev/virtio_rng.c vmm/vdev/virtio_console.c vmm/guest_ram.c \
	vmm/io.c vmm/mmio.c \
	lib/printf.c
# The exit handlers on the host (tests/fuzz/fuzz_exits.c): SHALE_FUZZ turns
# the VMX and root-mode instructions into the fakes of tests/fuzz/fake_vmcs.c.
FUZZ_exits := tests/fuzz/fake_vmcs.c arch/x86/exit.c arch/x86/exit_apic.c \
	arch/x86/exit_cr.c arch/x86/exit_ept.c arch/x86/exit_io.c arch/x86/exit_misc.c \
	arch/x86/exit_qual.c arch/x86/debug.c arch/x86/decode.c arch/x86/dr_rules.c \
	arch/x86/xcr0.c arch/x86/vcpu_state.c arch/x86/apicv.c arch/x86/apicv_x2apic.c arch/x86/spec_ctrl.c \
	arch/x86/spec_barrier.c vmm/msr.c vmm/cpuid.c vmm/hypercall.c vmm/io.c \
	vmm/mmio.c vmm/guest_mem.c vmm/irq.c vmm/pc.c vmm/pc_blk.c vmm/vdev/virtio_blk.c \
	vmm/pc_net.c vmm/netswitch.c vmm/vdev/virtio_net.c \
	vmm/platform.c vmm/entropy.c \
	$(filter-out vmm/io.c vmm/mmio.c lib/printf.c,$(FUZZ_vdev)) lib/printf.c lib/spinlock.c
$(BUILD)/fuzz/fuzz_exits: FUZZ_CFLAGS += -DSHALE_FUZZ
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SECONDS ?= 600

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_$$*) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CLANG   $@"
	@clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_$*)

fuzz: $(FUZZ_BINS)
	$(PYTHON) tests/run_fuzz.py --seconds $(FUZZ_SECONDS) $(FUZZ_BINS)

# ---------------------------------------------------------------- emulators
test: all $(LINUX) $(UNIT_BINS) $(FUZZ_BINS)
	$(PYTHON) tests/run_all.py

test-emu: all $(LINUX)
	$(PYTHON) tests/emu/run.py

# Cases kept out of make test: too long for its 30 minutes, or with a
# known problem they exist to show (each says which, tests/emu/cases*.py).
test-long: all $(LINUX)
	$(PYTHON) tests/emu/run.py --long

run: all $(LINUX)
	$(PYTHON) tests/emu/run.py --demo

# All of it takes about 40 minutes; BENCH=--exits-only just the exit costs,
# BENCH=--linux-only just the Linux boot (three boots, about 20 minutes),
# BENCH=--sched-only just the guests sharing one CPU, BENCH=--console-only
# the console's exits per KiB through the 16550 and virtio-console,
# BENCH=--ipi-only the IPI round trip between two vCPUs (two boots),
# BENCH=--startup-only the start-up figures of 1, 2 and 4 CPUs (printed).
bench: all $(LINUX)
	$(PYTHON) tests/emu/bench.py $(BENCH)

clean:
	rm -rf $(BUILD)
