//go:build !amd64 || purego

package sealedsecret

import "math/big"

const haveREDC = false

func redc(t, mod *big.Word, n int, m0inv big.Word) big.Word {
	panic("sealedsecret: no Montgomery reduction on this platform")
}
