//go:build !purego

#include "textflag.h"

// func redc(t, mod *big.Word, n int, m0inv big.Word) (top big.Word)
//
// For i = 0…n−1: q = t[i]·m0inv mod 2^64; t[i:i+n] += q·mod, which zeroes t[i]
// (m0inv = −mod⁻¹); the carry word and the carry bit of the previous rows go
// into t[i+n], the new carry bit to the next row; the last one is returned.
// The row is one MULX per word; its low halves ride the CF chain (ADCX) with
// the previous high half, t[j] rides the OF chain (ADOX): two independent
// carry chains, so products do not wait for each other. Nothing between the
// first ADCX/ADOX of a row and its last touches CF or OF (LEAQ, MOVQ, JCXZQ
// and JMP do not).
//
// Registers: DI &t[i], SI &mod[0], R13 n, R15 m0inv, R12 rows left, R14 carry
// bit between rows; in a row DX q, R8 &mod[j], R9 &t[i+j], CX words left, BX and
// R11 the high halves of alternate products.
TEXT ·redc(SB), NOSPLIT, $0-40
	MOVQ t+0(FP), DI
	MOVQ mod+8(FP), SI
	MOVQ n+16(FP), R13
	MOVQ m0inv+24(FP), R15
	XORQ R14, R14
	MOVQ R13, R12

row:
	MOVQ  0(DI), DX
	IMULQ R15, DX
	MOVQ  SI, R8
	MOVQ  DI, R9
	MOVQ  R13, CX
	XORQ  BX, BX  // clears CF and OF too

words:
	MULXQ 0(R8), AX, R11
	ADCXQ BX, AX
	ADOXQ 0(R9), AX
	MOVQ  AX, 0(R9)
	MULXQ 8(R8), AX, BX
	ADCXQ R11, AX
	ADOXQ 8(R9), AX
	MOVQ  AX, 8(R9)
	MULXQ 16(R8), AX, R11
	ADCXQ BX, AX
	ADOXQ 16(R9), AX
	MOVQ  AX, 16(R9)
	MULXQ 24(R8), AX, BX
	ADCXQ R11, AX
	ADOXQ 24(R9), AX
	MOVQ  AX, 24(R9)
	LEAQ  32(R8), R8
	LEAQ  32(R9), R9
	LEAQ  -4(CX), CX
	JCXZQ rowdone
	JMP   words

rowdone:
	// The row's carry word: the last high half plus both chains' carries
	// (t[i:i+n] + q·mod < 2^(64(n+1)), so it cannot overflow).
	MOVQ  $0, AX
	ADCXQ AX, BX
	ADOXQ AX, BX
	// t[i+n] += carry word + carry bit; at most one of the two adds carries.
	MOVQ 0(R9), AX
	ADDQ R14, AX
	MOVQ $0, R14
	ADCQ $0, R14
	ADDQ BX, AX
	ADCQ $0, R14
	MOVQ AX, 0(R9)
	LEAQ 8(DI), DI
	DECQ R12
	JNZ  row

	MOVQ R14, top+32(FP)
	RET
