//go:build !linux

package transform

// batchSync: elsewhere a Batch makes each temp file durable as it stages
// it (not every system can fsync a file opened read-only, nor has syncfs).
const batchSync = false

func syncFiles([]string, func(string, error)) {}
