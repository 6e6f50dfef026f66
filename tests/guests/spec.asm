; spec.asm - the speculation-control CPUID bits promise their MSRs, and
; only the values the SDM allows reach them: CPUID.(7,0):EDX IBRS/IBPB,
; STIBP, SSBD -> IA32_SPEC_CTRL, IBRS/IBPB -> IA32_PRED_CMD, L1D_FLUSH ->
; IA32_FLUSH_CMD, ARCH_CAPABILITIES -> IA32_ARCH_CAPABILITIES. Each MSR
; works exactly when its bit is shown, and #GP otherwise.
        bits 64
        org 0x100000
%include "lib.inc"
%include "spec.inc"

_start:
        LIB_INIT
        CPUID7_EDX
        call    lb_reset
        LB_STR  'note: CPUID.7:EDX '
        mov     rax, r15
        call    print_hex_line

        ; CORE_CAPABILITIES: its MSR is not emulated, so never shown
        CHECK_BIT "spec-core-cap-hidden", r15, 30, 0

        ; IA32_SPEC_CTRL: exists iff IBRS, STIBP or SSBD is shown; starts 0
        test    r15d, CPUID7_EDX_SPEC_CTRL
        jz      .no_spec_ctrl
        MSR_READ IA32_SPEC_CTRL
        IF_FAULT_FAIL "spec-ctrl-read-zero", .spec_bits
        CHECK_EQ "spec-ctrl-read-zero", r12, 0
        jmp     .spec_bits
.no_spec_ctrl:
        MSR_READ IA32_SPEC_CTRL
        CHECK_FAULT "spec-ctrl-read-zero", 13
.spec_bits:
        ; each bit round-trips iff its CPUID bit is shown, else #GP
        CHECK_MSR_IF "spec-ctrl-ibrs", CPUID7_EDX_IBRS_IBPB, IA32_SPEC_CTRL, 1, 1
        CHECK_MSR_IF "spec-ctrl-stibp", CPUID7_EDX_STIBP, IA32_SPEC_CTRL, 2, 1
        CHECK_MSR_IF "spec-ctrl-ssbd", CPUID7_EDX_SSBD, IA32_SPEC_CTRL, 4, 1
        ; reserved bits: #GP, and the value is unchanged (4 or #GP above)
        CHECK_MSR_GP "spec-ctrl-bit3-gp", IA32_SPEC_CTRL, 8
        CHECK_MSR_GP "spec-ctrl-bit63-gp", IA32_SPEC_CTRL, 0x8000000000000000
        test    r15d, CPUID7_EDX_SSBD
        jz      .no_ssbd
        MSR_READ IA32_SPEC_CTRL
        CHECK_EQ "spec-ctrl-unchanged-after-gp", r12, 4
        jmp     .spec_zero
.no_ssbd:
        PASS    "spec-ctrl-unchanged-after-gp"
.spec_zero:
        CHECK_MSR_IF "spec-ctrl-write-zero", CPUID7_EDX_SPEC_CTRL, IA32_SPEC_CTRL, 0, 1

        ; IA32_PRED_CMD: write-only; IBPB (bit 0) iff IBRS/IBPB is shown
        CHECK_MSR_IF "spec-pred-cmd-ibpb", CPUID7_EDX_IBRS_IBPB, IA32_PRED_CMD, 1, 0
        CHECK_MSR_IF "spec-pred-cmd-zero", CPUID7_EDX_IBRS_IBPB, IA32_PRED_CMD, 0, 0
        CHECK_MSR_GP "spec-pred-cmd-bit1-gp", IA32_PRED_CMD, 2
        CHECK_MSR_READ_GP "spec-pred-cmd-read-gp", IA32_PRED_CMD

        ; IA32_FLUSH_CMD: write-only; L1D_FLUSH (bit 0) iff shown
        CHECK_MSR_IF "spec-flush-cmd-l1d", CPUID7_EDX_L1D_FLUSH, IA32_FLUSH_CMD, 1, 0
        CHECK_MSR_GP "spec-flush-cmd-bit1-gp", IA32_FLUSH_CMD, 2
        CHECK_MSR_READ_GP "spec-flush-cmd-read-gp", IA32_FLUSH_CMD

        ; IA32_ARCH_CAPABILITIES: readable iff shown, never writable; no
        ; bit that announces an MSR Shale lacks (TSX_CTRL 7, FB_CLEAR_CTRL
        ; 18, GDS_CTRL 25) and nothing above the known bits
        MSR_READ IA32_ARCH_CAPABILITIES
        test    r15d, CPUID7_EDX_ARCH_CAP
        jz      .no_arch_cap
        IF_FAULT_FAIL "spec-arch-cap-read", .arch_cap_write
        PASS    "spec-arch-cap-read"
        call    lb_reset
        LB_STR  'note: ARCH_CAPABILITIES '
        mov     rax, r12
        call    print_hex_line
        mov     r13, r12
        mov     rax, (1 << 7) | (1 << 18) | (1 << 25) | ~((1 << 29) - 1)
        and     r13, rax
        CHECK_EQ "spec-arch-cap-masked", r13, 0
        jmp     .arch_cap_write
.no_arch_cap:
        CHECK_FAULT "spec-arch-cap-read", 13
        PASS    "spec-arch-cap-masked"
.arch_cap_write:
        CHECK_MSR_GP "spec-arch-cap-write-gp", IA32_ARCH_CAPABILITIES, 0

        EXIT

; print_hex_line: append RAX in hex and a newline to the line buffer,
; and write it.
print_hex_line:
        push    rax
        call    lb_hex
        mov     al, 10
        call    lb_char
        call    lb_flush
        pop     rax
        ret
