package sealedsecret

import (
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"testing"
)

// publicOp must be big.Int.Exp, whichever way it computes: for every key size
// the certificates use and the edges of the message range (0, 1, N−1, N−2,
// numbers of all-ones words that make every carry chain ripple).
func TestPublicOpIsExp(t *testing.T) {
	for _, size := range []int{1024, 2048, 3072, 4096, 2112} {
		N := oddModulus(t, size)
		for _, e := range []int{3, 17, 65537, 1<<31 - 1} {
			pub := &rsa.PublicKey{N: N, E: e}
			xs := []*big.Int{
				big.NewInt(0), big.NewInt(1), big.NewInt(2),
				new(big.Int).Sub(N, big.NewInt(1)), new(big.Int).Sub(N, big.NewInt(2)),
				new(big.Int).Rsh(N, 1), ones(N),
			}
			for i := 0; i < 40; i++ {
				x, err := rand.Int(rand.Reader, N)
				if err != nil {
					t.Fatal(err)
				}
				xs = append(xs, x)
			}
			for i, x := range xs {
				want := new(big.Int).Exp(x, big.NewInt(int64(e)), N)
				if got := publicOp(pub, x); got.Cmp(want) != 0 {
					t.Fatalf("%d-bit N, e=%d, x #%d: publicOp differs from big.Int.Exp", size, e, i)
				}
			}
		}
	}
}

// The fast path must be the one taken where it exists, for the sizes
// controllers make; 2112 bits (33 words) is not unrolled and falls back.
func TestMontgomeryServesControllerKeys(t *testing.T) {
	if !haveREDC {
		t.Skip("no Montgomery reduction on this machine: publicOp is big.Int.Exp")
	}
	for _, size := range []int{2048, 3072, 4096} {
		if montgomeryFor(&rsa.PublicKey{N: oddModulus(t, size), E: 65537}) == nil {
			t.Errorf("%d-bit key: not served by the Montgomery reduction", size)
		}
	}
	if montgomeryFor(&rsa.PublicKey{N: oddModulus(t, 2112), E: 65537}) != nil {
		t.Error("a 33-word modulus was taken by a reduction unrolled by 4")
	}
}

// Reductions whose final subtraction happens and does not: N just below R
// makes T·R⁻¹ often exceed N; N just above R/2 rarely.
func TestPublicOpModulusExtremes(t *testing.T) {
	for _, N := range []*big.Int{
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 4096), big.NewInt(1)),
		new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 4095), big.NewInt(1)),
	} {
		pub := &rsa.PublicKey{N: N, E: 65537}
		for i := 0; i < 50; i++ {
			x, _ := rand.Int(rand.Reader, N)
			want := new(big.Int).Exp(x, big.NewInt(65537), N)
			if publicOp(pub, x).Cmp(want) != 0 {
				t.Fatalf("N of %d bits: publicOp differs from big.Int.Exp", N.BitLen())
			}
		}
	}
}

func FuzzPublicOp(f *testing.F) {
	N := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 4096), big.NewInt(159))
	pub := &rsa.PublicKey{N: N, E: 65537}
	f.Add([]byte{1})
	f.Add(new(big.Int).Sub(N, big.NewInt(1)).Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		x := new(big.Int).SetBytes(b)
		x.Mod(x, N)
		want := new(big.Int).Exp(x, big.NewInt(65537), N)
		if publicOp(pub, x).Cmp(want) != 0 {
			t.Fatal("publicOp differs from big.Int.Exp")
		}
	})
}

// oddModulus is a random odd number of exactly size bits: Montgomery
// reduction needs only that, and it is instant where a prime product is not.
func oddModulus(t *testing.T, size int) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(size-1)))
	if err != nil {
		t.Fatal(err)
	}
	n.SetBit(n, size-1, 1)
	return n.SetBit(n, 0, 1)
}

// ones is the largest number below N whose words are all ones.
func ones(N *big.Int) *big.Int {
	x := new(big.Int).Lsh(big.NewInt(1), uint(N.BitLen()-64))
	return x.Sub(x, big.NewInt(1))
}

func BenchmarkPublicOp4096(b *testing.B) {
	k := testKey(b, 4096)
	x, _ := rand.Int(rand.Reader, k.N)
	for b.Loop() {
		publicOp(&k.PublicKey, x)
	}
}

func BenchmarkExp4096(b *testing.B) {
	k := testKey(b, 4096)
	x, _ := rand.Int(rand.Reader, k.N)
	e := big.NewInt(int64(k.E))
	for b.Loop() {
		new(big.Int).Exp(x, e, k.N)
	}
}
