//go:build tools

// Package tools pins the oldest Helm the charts support: Helm 3.16, the first release whose
// version skew covers Kubernetes 1.31, the oldest Kubernetes the charts support.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
