//go:build tools

// Package tools pins the modules whose deploy/crds/ manifests the cluster tests read.
package tools

import (
	_ "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	_ "github.com/cert-manager/trust-manager/pkg/apis/trust/v1alpha1"
)
