//go:build tools

// Package tools pins the module whose config/crd/standard/ manifests scripts/gateway-api.ts reads.
package tools

import (
	_ "sigs.k8s.io/gateway-api/apis/v1"
)
