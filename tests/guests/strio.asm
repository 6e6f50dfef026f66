; strio.asm - INS/OUTS emulated as the CPU runs them: page-table rights
; (U/S, R/W with CR0.WP) give #PF with the SDM's error code and CR2, a
; REP that faults leaves RCX/RDI at the faulting element, 64-bit mode adds
; no ES base and refuses non-canonical addresses (#GP, also with an SS:
; prefix, which 64-bit mode ignores), a
; 32-bit address size uses ECX/EDI and zeroes their upper halves, and a
; buffer in the test device's MMIO page reaches the device.
; Needs `devices = testdev`.
        bits 64
        org 0x100000
%include "lib.inc"

%define TEST_LA         0x40000000      ; PDPT[1]: the 4 KiB test pages
%define SUP_LA          TEST_LA         ; present, writable, supervisor only
%define RO_LA           TEST_LA + 0x1000 ; present, user, read-only
%define RW_LA           TEST_LA + 0x2000 ; present, user, writable
%define NP_LA           TEST_LA + 0x3000 ; not present
%define RSVD_LA         TEST_LA + 0x4000 ; PTE with bit 51 (above MAXPHYADDR)
%define USER_DS         0x18 | 3
%define USER_CS         0x20 | 3
%define TSS_SEL         0x28
%define BASED_DS        0x38            ; data segment with base 0x1000

_start:
        LIB_INIT

        ; ---- own page tables: 0-16 MiB identity with user 2 MiB pages,
        ;      the four test pages at TEST_LA, the testdev page at its GPA
        lea     rax, [rel pdpt]
        or      rax, 7
        mov     [rel pml4], rax
        lea     rax, [rel pd]
        or      rax, 7
        mov     [rel pdpt], rax
        lea     rax, [rel pd_test]
        or      rax, 7
        mov     [rel pdpt + 8], rax
        lea     rax, [rel pd_high]
        or      rax, 7
        mov     [rel pdpt + 3 * 8], rax
        xor     ecx, ecx
        lea     rbx, [rel pd]
.pd:
        mov     rax, rcx
        shl     rax, 21
        or      rax, 0x87               ; P RW US PS
        mov     [rbx + rcx * 8], rax
        inc     ecx
        cmp     ecx, 8
        jb      .pd
        mov     rax, (TESTDEV_MMIO & ~0x1FFFFF) | 0x83
        mov     [rel pd_high + ((TESTDEV_MMIO >> 21) & 0x1FF) * 8], rax
        lea     rax, [rel pt]
        or      rax, 7
        mov     [rel pd_test], rax
        lea     rax, [rel sup_page]
        or      rax, 3                  ; P RW, supervisor
        mov     [rel pt], rax
        lea     rax, [rel ro_page]
        or      rax, 5                  ; P US, read-only
        mov     [rel pt + 8], rax
        lea     rax, [rel rw_page]
        or      rax, 7                  ; P RW US
        mov     [rel pt + 16], rax
        bts     rax, 51                 ; reserved unless MAXPHYADDR is 52
        mov     [rel pt + 4 * 8], rax
        lea     rax, [rel pml4]
        mov     cr3, rax

        ; ---- GDT with user segments and a TSS (RSP0 for faults at CPL 3)
        lea     rax, [rel tss]
        mov     rdx, rax
        shl     rdx, 40
        shr     rdx, 24                 ; base 23:0 at bits 39:16
        mov     rcx, rax
        shr     rcx, 24
        and     rcx, 0xFF
        shl     rcx, 56                 ; base 31:24 at bits 63:56
        or      rdx, rcx
        mov     rcx, 0x0000890000000067 ; present 64-bit TSS, limit 0x67
        or      rdx, rcx
        mov     [rel gdt + TSS_SEL], rdx
        shr     rax, 32
        mov     [rel gdt + TSS_SEL + 8], rax
        lea     rax, [rel kstack_top]
        mov     [rel tss + 4], rax      ; RSP0
        lgdt    [rel gdtr]
        mov     ax, TSS_SEL
        ltr     ax

        ; ---- CPL 3 (IOPL 3): INSB into a user page works, into a
        ;      supervisor page is #PF with P|W|U and CR2 = RDI
        SET_HANDLER 14, user_pf
        mov     [rel saved_rsp], rsp
        push    USER_DS
        lea     rax, [rel ustack_top]
        push    rax
        push    0x3002                  ; IOPL 3, IF clear
        push    USER_CS
        lea     rax, [rel user_code]
        push    rax
        iretq
user_code:
        mov     dx, TESTDEV_PORT_ID
        mov     rdi, RW_LA
        insb
        mov     rdi, SUP_LA
        insb                            ; #PF: user_pf brings us back
        mov     rdi, NP_LA              ; (had it not faulted: a #PF of
        mov     [rdi], al               ; another kind, so the checks FAIL)
user_back:
        mov     rsp, [rel saved_rsp]
        lea     rsi, [rel lib_isr_stubs + 14 * LIB_STUB_SIZE]
        mov     edi, 14
        call    lib_set_gate            ; the recording handler again
        movzx   r12d, byte [rel rw_page]
        CHECK_EQ "strio-user-ok", r12, 0x53
        mov     r12, [rel user_vector]
        CHECK_EQ "strio-user-sup-vector", r12, 14
        mov     r12, [rel user_error]
        CHECK_EQ "strio-user-sup-error", r12, 7
        mov     r12, [rel user_cr2]
        CHECK_EQ "strio-user-sup-cr2", r12, SUP_LA
        mov     r12, [rel user_rdi]
        CHECK_EQ "strio-user-sup-rdi", r12, SUP_LA

        ; ---- CPL 0, CR0.WP set: INSB into a read-only page, #PF P|W
        mov     dx, TESTDEV_PORT_ID
        mov     rdi, RO_LA
        TRY
        insb
        ENDTRY
        CHECK_FAULT "strio-ro-pf", 14
        mov     r12, [rel lib_last_error]
        CHECK_EQ "strio-ro-error", r12, 3
        mov     r12, cr2
        CHECK_EQ "strio-ro-cr2", r12, RO_LA
        movzx   r12d, byte [rel ro_page]
        CHECK_EQ "strio-ro-unchanged", r12, 0

        ; ---- OUTSB from a page that is not there: #PF, error 0
        mov     dx, TESTDEV_PORT_SCRATCH
        mov     rsi, NP_LA
        TRY
        outsb
        ENDTRY
        CHECK_FAULT "strio-np-pf", 14
        mov     r12, [rel lib_last_error]
        CHECK_EQ "strio-np-error", r12, 0
        mov     r12, cr2
        CHECK_EQ "strio-np-cr2", r12, NP_LA

        ; ---- INSB through a PTE with a reserved bit: #PF P|W|RSVD
        mov     dx, TESTDEV_PORT_ID
        mov     rdi, RSVD_LA
        TRY
        insb
        ENDTRY
        CHECK_FAULT "strio-rsvd-pf", 14
        mov     r12, [rel lib_last_error]
        CHECK_EQ "strio-rsvd-error", r12, 0xB
        mov     r12, cr2
        CHECK_EQ "strio-rsvd-cr2", r12, RSVD_LA

        ; ---- REP INSB over the end of a page: the first byte lands,
        ;      the second faults with RCX and RDI at it
        mov     dx, TESTDEV_PORT_ID
        mov     rdi, NP_LA - 1
        mov     ecx, 2
        TRY
        rep insb
        ENDTRY
        mov     r13, rcx
        mov     r14, rdi
        CHECK_FAULT "strio-rep-pf", 14
        mov     r12, cr2
        CHECK_EQ "strio-rep-cr2", r12, NP_LA
        CHECK_EQ "strio-rep-rcx", r13, 1
        CHECK_EQ "strio-rep-rdi", r14, NP_LA
        movzx   r12d, byte [rel rw_page + 0xFFF]
        CHECK_EQ "strio-rep-first", r12, 0x53

        ; ---- 64-bit mode: ES's base is not added
        mov     ax, BASED_DS
        mov     es, ax
        mov     dx, TESTDEV_PORT_ID
        lea     rdi, [rel two_pages]
        insb
        mov     ax, 0x10
        mov     es, ax
        movzx   r12d, byte [rel two_pages]
        CHECK_EQ "strio-es-base-ignored", r12, 0x53
        movzx   r12d, byte [rel two_pages + 0x1000]
        CHECK_EQ "strio-es-base-not-added", r12, 0

        ; ---- non-canonical: #GP(0), and #SS(0) through SS
        mov     rdi, 0x8000000000000000
        TRY
        insb
        ENDTRY
        CHECK_FAULT "strio-noncanon-gp", 13
        mov     rsi, 0x0000800000000000
        mov     dx, TESTDEV_PORT_SCRATCH
        TRY
        db      0x36                    ; SS:, which 64-bit mode ignores:
        outsb                           ; #GP, not #SS
        ENDTRY
        CHECK_FAULT "strio-noncanon-ss-prefix-gp", 13

        ; ---- a32 rep insb: ECX/EDI count, their upper halves zeroed
        mov     dx, TESTDEV_PORT_ID
        mov     rcx, 0xFFFFFFFF00000002
        lea     rdi, [rel a32_buf]
        mov     r15, rdi
        mov     rax, 0xFFFFFFFF00000000
        or      rdi, rax
        a32 rep insb
        mov     r13, rcx
        mov     r14, rdi
        add     r15, 2
        CHECK_EQ "strio-a32-rcx", r13, 0
        CHECK_EQ "strio-a32-rdi", r14, r15
        movzx   r12d, word [rel a32_buf]
        CHECK_EQ "strio-a32-data", r12, 0x5353

        ; ---- INSD into the test device's MMIO scratch register
        mov     dx, TESTDEV_PORT_ID
        mov     rdi, TESTDEV_MMIO + TESTDEV_MMIO_SCRATCH
        TRY
        insd
        ENDTRY
        CHECK_NO_FAULT "strio-mmio-no-fault"
        mov     eax, TESTDEV_MMIO
        mov     r12d, [rax + TESTDEV_MMIO_SCRATCH]
        CHECK_EQ "strio-mmio-insd", r12, TESTDEV_ID

        EXIT

; #PF at CPL 3: record it and go back to ring 0 at user_back.
user_pf:
        pop     qword [rel user_error]
        mov     qword [rel user_vector], 14
        mov     [rel user_rdi], rdi
        mov     rax, cr2
        mov     [rel user_cr2], rax
        jmp     user_back

section .data
        align   4096, db 0
pml4:           times 512 dq 0
pdpt:           times 512 dq 0
pd:             times 512 dq 0
pd_test:        times 512 dq 0
pd_high:        times 512 dq 0
pt:             times 512 dq 0
sup_page:       times 4096 db 0
ro_page:        times 4096 db 0
rw_page:        times 4096 db 0
two_pages:      times 8192 db 0
                times 4096 db 0
kstack_top:
                times 4096 db 0
ustack_top:
gdt:            dq 0
                dq 0x00AF9A000000FFFF   ; 0x08 code, 64-bit
                dq 0x00CF92000000FFFF   ; 0x10 data
                dq 0x00CFF2000000FFFF   ; 0x18 user data
                dq 0x00AFFA000000FFFF   ; 0x20 user code, 64-bit
                dq 0, 0                 ; 0x28 TSS, filled in
                dq 0x00CF92001000FFFF   ; 0x38 data, base 0x1000
gdt_end:
gdtr:           dw gdt_end - gdt - 1
                dq gdt
        align   16, db 0
tss:            times 104 db 0
        align   8, db 0
saved_rsp:      dq 0
user_vector:    dq -1
user_error:     dq 0
user_cr2:       dq 0
user_rdi:       dq 0
a32_buf:        dq 0
section .text
