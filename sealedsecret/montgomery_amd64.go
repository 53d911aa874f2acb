//go:build !purego

package sealedsecret

import (
	"math/big"

	"golang.org/x/sys/cpu"
)

// haveREDC: the reduction below uses MULX (BMI2) and the two carry chains of
// ADCX and ADOX (ADX), on every x86-64 since 2013–2015.
var haveREDC = cpu.X86.HasADX && cpu.X86.HasBMI2

// redc is Montgomery reduction: for T in t[0:2n] (n a multiple of 4, T < N·R),
// it adds q_i·N·2^(64i) for i = 0…n−1, each q_i chosen to zero word i, so that
// t[n:2n] + top·2^(64n) = T·R⁻¹ mod N, plus N at most once. One pass of n×n
// word products, as many as a multiplication: the long division it replaces
// costs two.
//
//go:noescape
func redc(t, mod *big.Word, n int, m0inv big.Word) (top big.Word)
