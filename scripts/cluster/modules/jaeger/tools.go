//go:build tools

// Package tools pins the Jaeger v2 command that the tracing tests build.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
