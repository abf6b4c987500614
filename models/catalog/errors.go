package catalog

import (
	"fmt"
	"strings"
)

// Error is one problem of a catalog file: where it is (file, line and the
// path of the key, such as "access_points[3].port_types[1].type") and what
// to fix.
type Error struct {
	File    string
	Line    int // 1-based; 0 when the problem concerns the whole file
	Path    string
	Message string
}

// Error formats the problem as "file:line: path: message".
func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors is every problem found in one catalog file, in line order.
type Errors []Error

// Error formats one problem a line.
func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}
