; xstate1.asm - extended CPU state is this guest's own while another guest
; (xstate2.asm) shares the CPU: x87 (control word, two stack values),
; MXCSR, the vector registers, opmask and PKRU start in their init state and
; keep this guest's values across many preemptions. This one uses AVX (AVX-512 where offered) after XSETBV.
; Body: xstate.inc. Run with [hypervisor] timeslice = 1ms.
        bits 64
        org 0x100000
%include "lib.inc"

%define XS_SEED         0x5a
%define XS_FCW          0x0f7f
%define XS_MXCSR        0x7f80
%define XS_PKRU         0x55555554               ; key 0 left open: the guest's own pages
%define XS_AVX          1

_start:
        LIB_INIT
        call    xs_setup
        call    xs_check_init
        mov     r12, rax
        CHECK_EQ "xstate1-init-state", r12, 0
        call    xs_fill
        call    xs_rounds
        mov     r12, rax
        CHECK_BIT "xstate1-vector-kept", r12, XS_BAD_VEC, 0
        CHECK_BIT "xstate1-x87-kept", r12, XS_BAD_X87, 0
        CHECK_BIT "xstate1-mxcsr-kept", r12, XS_BAD_MXCSR, 0
        CHECK_BIT "xstate1-opmask-kept", r12, XS_BAD_OPMASK, 0
        CHECK_BIT "xstate1-pkru-kept", r12, XS_BAD_PKRU, 0
        test    r12, r12
        jz      .kept
        FAIL_VAL "xstate1-first-bad-round", "changed in round", [rel xs_bad_round]
.kept:
        CHECK_GE "xstate1-preempted", rbx, 10
        ; What was checked, for the log.
        test    byte [rel xs_feat], 1 << XS_FEAT_AVX512
        jz      .no512
        PRINT   "note: ZMM0-31 and k1-k7 checked", 10
.no512:
        test    byte [rel xs_feat], 1 << XS_FEAT_AVX
        jz      .noavx
        PRINT   "note: YMM upper halves checked", 10
.noavx:
        test    byte [rel xs_feat], 1 << XS_FEAT_PKU
        jz      .nopku
        PRINT   "note: PKRU checked", 10
.nopku:
        EXIT

%include "xstate.inc"
