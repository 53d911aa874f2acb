// Command secretguard keeps raw Kubernetes Secrets out of GitOps repositories.
package main

import "os"

func main() {
	os.Exit(Main(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
