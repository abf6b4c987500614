package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parser walks the YAML node tree of one file and collects every problem.
type parser struct {
	file   string
	errs   Errors
	budget int // nodes that may still be visited (aliases can multiply them)
}

// errorf records a problem at node n (line 0 when n is nil).
func (p *parser) errorf(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, Error{File: p.file, Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// resolve follows aliases and charges the visit to the node budget; it
// returns nil once the budget is spent (after reporting it once).
func (p *parser) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i >= maxAliasChain {
			return nil
		}
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	p.budget--
	if p.budget == 0 {
		p.errorf(n, "", "the catalog is too large: more than %d YAML nodes (counting every use of an alias)", maxNodes)
	}
	if p.budget <= 0 {
		return nil
	}
	return n
}

// kindName names a node kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "a document"
}

// isNull reports whether a scalar is YAML's null (an empty value or "~").
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// fields is one YAML mapping with its keys checked.
type fields struct {
	p    *parser
	node *yaml.Node
	path string
	vals map[string]*yaml.Node
}

// mapping checks that n is a mapping whose keys are all allowed and appear
// once. It returns nil (after reporting) when n is not a mapping.
func (p *parser) mapping(n *yaml.Node, path string, allowed ...string) *fields {
	n = p.resolve(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "want a mapping with keys %s; got %s", strings.Join(allowed, ", "), kindName(n))
		return nil
	}
	f := &fields{p: p, node: n, path: path, vals: map[string]*yaml.Node{}}
	keyLine := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := p.resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "a key must be a plain word; got %s", kindName(k))
			continue
		}
		key := k.Value
		switch {
		case key == "<<":
			p.errorf(k, join(path, key), "merge keys (<<) are not supported; write the keys out")
		case !slices.Contains(allowed, key):
			msg := fmt.Sprintf("unknown key %q; allowed keys: %s", key, strings.Join(allowed, ", "))
			if s := suggest(key, allowed); s != "" {
				msg = fmt.Sprintf("unknown key %q (did you mean %q?); allowed keys: %s", key, s, strings.Join(allowed, ", "))
			}
			p.errorf(k, join(path, key), "%s", msg)
		case keyLine[key] != 0:
			p.errorf(k, join(path, key), "duplicate key %q (first at line %d)", key, keyLine[key])
		default:
			keyLine[key] = k.Line
			f.vals[key] = v
		}
	}
	return f
}

// join appends a key to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends a list index to a path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// get returns the resolved value of key, or nil when it is absent or null.
func (f *fields) get(key string) *yaml.Node {
	v, ok := f.vals[key]
	if !ok {
		return nil
	}
	v = f.p.resolve(v)
	if v == nil || isNull(v) {
		return nil
	}
	return v
}

// str returns the scalar text of key; a required key that is absent or
// blank is reported.
func (f *fields) str(key string, required bool) (string, *yaml.Node) {
	v := f.get(key)
	if v == nil {
		if required {
			f.p.errorf(f.node, join(f.path, key), "required, and missing")
		}
		return "", nil
	}
	if v.Kind != yaml.ScalarNode {
		f.p.errorf(v, join(f.path, key), "want a single value; got %s", kindName(v))
		return "", nil
	}
	s := strings.TrimSpace(v.Value)
	if s == "" && required {
		f.p.errorf(v, join(f.path, key), "required, and empty")
	}
	return s, v
}

// integer returns the whole number at key, def when absent; ok is false
// when a present value is not a whole number (reported).
func (f *fields) integer(key string, def int, required bool) (n int, node *yaml.Node, ok bool) {
	s, v := f.str(key, required)
	if v == nil {
		return def, f.node, !required
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.p.errorf(v, join(f.path, key), "%q is not a whole number", s)
		return 0, v, false
	}
	return n, v, true
}

// list returns the items of the list at key (nil when absent).
func (f *fields) list(key string) []*yaml.Node {
	v := f.get(key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		f.p.errorf(v, join(f.path, key), "want a list; got %s", kindName(v))
		return nil
	}
	return v.Content
}

// has reports whether key is present with a non-null value.
func (f *fields) has(key string) bool { return f.get(key) != nil }

// scalar returns the text of a list item that must be a single value.
func (p *parser) scalar(n *yaml.Node, path string) (string, *yaml.Node) {
	n = p.resolve(n)
	if n == nil {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.errorf(n, path, "want a single value; got %s", kindName(n))
		return "", nil
	}
	return strings.TrimSpace(n.Value), n
}

// suggest returns the allowed key closest to a misspelt one, if close.
func suggest(key string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if d := distance(strings.ToLower(key), a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b (bytes).
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nonEmptyList returns the items of the list at key, reporting msg when the
// key is absent or the list empty.
func (f *fields) nonEmptyList(key, msg string) []*yaml.Node {
	v := f.get(key)
	items := f.list(key)
	if v == nil || (v.Kind == yaml.SequenceNode && len(items) == 0) {
		node := f.node
		if v != nil {
			node = v
		}
		f.p.errorf(node, join(f.path, key), "%s", msg)
	}
	return items
}
