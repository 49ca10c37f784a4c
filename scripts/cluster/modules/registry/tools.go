//go:build tools

// Package tools pins the OCI registry (CNCF Distribution) that the cluster tests push charts to.
package tools

import _ "github.com/distribution/distribution/v3/cmd/registry"
