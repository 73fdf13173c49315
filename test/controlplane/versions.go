package main

// Versions linked into the binary; the cache key of the build script reads
// them from go.mod, so keep them equal to the requirements there.
const (
	kubernetesVersion = "v1.37.2"
	etcdVersion       = "v3.7.0"
)
