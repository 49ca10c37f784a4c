//go:build tools

// Package tools pins the Helm 4 command that the tests build.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
