//go:build tools

// Package tools pins the Helm 3 command that the tests build.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
