package transform

// SetTestHookRenamed runs f after each rename of a Batch's Commit.
func SetTestHookRenamed(f func()) { testHookRenamed = f }
