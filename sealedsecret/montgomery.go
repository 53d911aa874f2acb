package sealedsecret

import (
	"crypto/rsa"
	"math/big"
	"math/bits"
	"sync"
)

// publicOp is c = m^e mod N for an RSA public key. With a fast Montgomery
// reduction (amd64 with ADX and BMI2, see montgomery_amd64.go) it takes
// 47 µs for RSA-4096 on the machine of docs/performance.md, against 73–76 µs
// for big.Int.Exp, whose reduction of every square is a long division (two
// thirds of its time). Sealing 1,000 Secrets is 2,000 of these, most of the CPU
// of a run. Elsewhere, or for a modulus of a size the reduction does not
// unroll, it is big.Int.Exp. Like big.Int.Exp it is not constant-time: the
// exponent is public and the message a fresh random session key, sealed once,
// in a local command (see encryptOAEP).
func publicOp(pub *rsa.PublicKey, m *big.Int) *big.Int {
	if k := montgomeryFor(pub); k != nil {
		return k.exp(m, pub.E)
	}
	return new(big.Int).Exp(m, big.NewInt(int64(pub.E)), pub.N)
}

// montgomery holds what Montgomery multiplication modulo one odd N needs,
// computed once per key: R = 2^(64n) for n words of N, m0inv = −N⁻¹ mod 2^64,
// rr = R² mod N (to bring a number into Montgomery form, x·R mod N).
type montgomery struct {
	n     int
	mod   []big.Word
	m0inv big.Word
	rr    *big.Int
}

var montgomeries sync.Map // *big.Int (a key's N) → *montgomery, or nil when unusable

// montgomeryFor returns the key's Montgomery parameters, nil when the fast
// reduction cannot serve it: no such reduction on this machine, a word count
// not a multiple of 4 (RSA-2048, 3072 and 4096 are 32, 48 and 64 words), an
// even modulus or exponent (never a usable key: certs refuses them).
func montgomeryFor(pub *rsa.PublicKey) *montgomery {
	if !haveREDC || pub.N == nil {
		return nil
	}
	if k, ok := montgomeries.Load(pub.N); ok {
		return k.(*montgomery)
	}
	k := newMontgomery(pub.N, pub.E)
	montgomeries.Store(pub.N, k)
	return k
}

func newMontgomery(N *big.Int, e int) *montgomery {
	mod := N.Bits()
	n := len(mod)
	if bits.UintSize != 64 || n < 4 || n%4 != 0 || mod[0]&1 == 0 || e < 3 || e%2 == 0 {
		return nil
	}
	// Newton's iteration doubles the correct low bits of N⁻¹ mod 2^64 each
	// step: 1 (N is odd) → 2 → 4 … → 64.
	inv := big.Word(1)
	for i := 0; i < 6; i++ {
		inv *= 2 - mod[0]*inv
	}
	rr := new(big.Int).Lsh(big.NewInt(1), uint(2*bits.UintSize*n))
	return &montgomery{n: n, mod: mod, m0inv: -inv, rr: rr.Mod(rr, N)}
}

// exp is x^e mod N for 0 ≤ x < N and an odd e ≥ 3, left to right over the
// bits of e: x is brought into Montgomery form (x·R), squared and multiplied
// there, and the last step multiplies by x itself, so that its reduction
// (which divides by R) leaves the plain result.
func (k *montgomery) exp(x *big.Int, e int) *big.Int {
	n := k.n
	buf := make([]big.Word, 4*n)
	t, xr, acc := buf[:2*n], buf[2*n:3*n], buf[3*n:]
	var prod, a, xm big.Int

	// mulReduce sets dst to a·b·R⁻¹ mod N: big.Int's multiplication (its
	// squaring is half the work of a product), then the reduction.
	mulReduce := func(dst []big.Word, a, b *big.Int) {
		prod.Mul(a, b)
		w := prod.Bits()
		copy(t, w)
		clear(t[len(w):])
		k.reduce(dst, t)
	}
	mulReduce(xr, x, k.rr)
	xm.SetBits(xr)
	copy(acc, xr)
	for i := bits.Len(uint(e)) - 2; i >= 1; i-- {
		a.SetBits(acc)
		mulReduce(acc, &a, &a)
		if e>>uint(i)&1 == 1 {
			a.SetBits(acc)
			mulReduce(acc, &a, &xm)
		}
	}
	a.SetBits(acc)
	mulReduce(acc, &a, &a)
	a.SetBits(acc)
	out := make([]big.Word, n)
	mulReduce(out, &a, x) // e is odd: its last bit multiplies by x
	return new(big.Int).SetBits(out)
}

// reduce sets dst (n words) to T·R⁻¹ mod N, for T < N·R in t (2n words,
// overwritten).
func (k *montgomery) reduce(dst, t []big.Word) {
	top := redc(&t[0], &k.mod[0], k.n, k.m0inv)
	r := t[k.n:]
	// The reduction leaves r + top·R < 2N: one subtraction at most.
	if top != 0 || !lessWords(r, k.mod) {
		var borrow uint
		for i := range r {
			var d uint
			d, borrow = bits.Sub(uint(r[i]), uint(k.mod[i]), borrow)
			r[i] = big.Word(d)
		}
	}
	copy(dst, r)
}

func lessWords(a, b []big.Word) bool {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
