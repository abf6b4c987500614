package handlers_test

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/leaseline/leaseline/handlers/lang"
)

// The checks of issue 12 that hold the code to the catalogs: every key the
// code uses is in every catalog and every catalog key is used; no handler
// builds user-facing text from a literal; the status words are the
// glossary's.

// dynamicPrefixes are the key prefixes the code may complete at run time
// (statusWord: "status." + the status without spaces): every catalog key
// under them counts as used.
var dynamicPrefixes = []string{"status."}

// handlerFiles parses the non-test Go files of handlers/ and its
// subpackages.
func handlerFiles(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fset, files
}

// printerCall reports whether call is x.T(…) or x.N(…), a lang.Printer's
// message (no other type in handlers has methods of those names).
func printerCall(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && (sel.Sel.Name == "T" || sel.Sel.Name == "N") && len(call.Args) > 0
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// keyLike is how a message key is written: "section.key", lower case.
var keyLike = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$`)

// usedKeys are the message keys the handlers use, with where each is used:
// the literal first arguments of T and N, and the literals a function
// gives T and N through a variable (a switch or a map from an enum to its
// keys, ruleKey): any literal written like a key of a catalog section
// ("rules.name_length" when the catalogs have a [rules] section). odd lists
// calls that build a key at run time outside dynamicPrefixes ("rules." +
// name), which no test could check.
func usedKeys(t *testing.T, sections map[string]bool) (keys map[string]string, odd []string) {
	fset, files := handlerFiles(t)
	keys = map[string]string{}
	use := func(k string, at token.Pos) {
		if _, seen := keys[k]; !seen {
			keys[k] = fset.Position(at).String()
		}
	}
	for _, f := range files {
		if f.Name.Name == "lang" {
			continue // the printer itself
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok {
				if s, ok := stringLit(lit); ok && keyLike.MatchString(s) && sections[s[:strings.IndexByte(s, '.')]] {
					use(s, lit.Pos())
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok || !printerCall(call) {
				return true
			}
			switch arg := call.Args[0].(type) {
			case *ast.BasicLit:
				if s, ok := stringLit(arg); ok {
					use(s, arg.Pos())
				}
			case *ast.BinaryExpr:
				if s, ok := stringLit(arg.X); ok && arg.Op == token.ADD && slices.Contains(dynamicPrefixes, s) {
					return true
				}
				odd = append(odd, fset.Position(call.Pos()).String())
			case *ast.CallExpr:
				if name := calleeName(arg); name == "fmt.Sprintf" || name == "fmt.Sprint" || name == "strings.Join" {
					odd = append(odd, fset.Position(call.Pos()).String())
				}
			}
			return true
		})
	}
	return keys, odd
}

// TestCatalogKeysMatchTheCode: a key the code uses that a catalog lacks,
// or a catalog key nothing uses, fails; so does a key built at run time
// outside the declared prefixes (a test could not see it).
func TestCatalogKeysMatchTheCode(t *testing.T) {
	c := lang.MustLoad()
	sections := map[string]bool{}
	for _, id := range c.IDs(lang.English) {
		sections[id[:max(strings.IndexByte(id, '.'), 0)]] = true
	}
	used, odd := usedKeys(t, sections)
	for _, at := range odd {
		t.Errorf("%s: message key built at run time (write a switch or map to literal keys; only %v may be completed at run time)", at, dynamicPrefixes)
	}
	var keys []string
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, l := range lang.Langs() {
		have := map[string]bool{}
		for _, id := range c.IDs(l) {
			have[id] = true
		}
		for _, k := range keys {
			if !have[k] {
				t.Errorf("%s: key %q is missing from the %s catalogs", used[k], k, l)
			}
		}
		if l != lang.English {
			continue
		}
		for _, id := range c.IDs(l) {
			if _, ok := used[id]; ok {
				continue
			}
			if slices.ContainsFunc(dynamicPrefixes, func(p string) bool { return strings.HasPrefix(id, p) }) {
				continue
			}
			t.Errorf("catalog key %q is used nowhere in handlers/ (remove it, or use it)", id)
		}
	}
}

// Block Kit builders and the handlers' helpers whose argument at the
// index is text a person reads.
var textArgs = map[string][]int{
	"slack.NewTextBlockObject": {1},
	"slack.MsgOptionText":      {0},
	"plain":                    {0},
	"md":                       {0},
	"section":                  {0},
	"contextText":              {0},
	"button":                   {2},
	"option":                   {1},
	// The handlers' senders of one text (interact.go, account.go,
	// cards.go, forms.go, press.go).
	"a.tell":      {4},
	"a.usage":     {2},
	"labelled":    {0, 1},
	"messageView": {0, 1},
	"a.replace":   {3},
}

// Besides: slack.NewButtonBlockElement, NewOptionBlockObject,
// NewHeaderBlock and the views' Title/Submit/Close take text objects, made
// by the calls above (checked there) or as &slack.TextBlockObject{Text: …}
// literals (checked below); slack.NewErrorsViewSubmissionResponse's map
// values are checked as text.

var (
	emojiCode  = regexp.MustCompile(`:[a-z0-9_+\-]+:`)
	slackToken = regexp.MustCompile(`<[^>]*>`)
	codeSpan   = regexp.MustCompile("`[^`]*`")
	fmtVerb    = regexp.MustCompile(`%[-+# 0-9.*\[\]]*[a-zA-Z%]`)
	// The product's name is the same in every language.
	brand = regexp.MustCompile(`\bleaseline\b`)
	// URLs, and pieces of one: a path ("/calendar/") or a file's
	// extension (".ics").
	urlText  = regexp.MustCompile(`https?://\S+`)
	pathPart = regexp.MustCompile(`^[./]\S*$`)
)

// wordy reports whether a literal holds words: letters outside emoji
// codes, Slack tokens (<@U…>, <#C…>, <!date…>), code spans (subcommands
// stay English), URLs and their pieces, format verbs and the product's
// name.
func wordy(s string) bool {
	if pathPart.MatchString(s) {
		return false
	}
	for _, re := range []*regexp.Regexp{emojiCode, slackToken, codeSpan, urlText, fmtVerb, brand} {
		s = re.ReplaceAllString(s, "")
	}
	return strings.ContainsFunc(s, unicode.IsLetter)
}

// literalChecker finds the text literals that reach a builder.
type literalChecker struct {
	fset *token.FileSet
	// assigns are the right-hand sides assigned to each local name in
	// the function being checked, and consts the package's constants.
	assigns map[string][]ast.Expr
	consts  map[string]ast.Expr
	found   map[string]string // position -> literal
}

// text checks an expression whose value is shown as text.
func (c *literalChecker) text(e ast.Expr, depth int) {
	if depth > 4 || e == nil {
		return
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		if s, ok := stringLit(e); ok && wordy(s) {
			c.found[c.fset.Position(e.Pos()).String()] = s
		}
	case *ast.ParenExpr:
		c.text(e.X, depth)
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			c.text(e.X, depth)
			c.text(e.Y, depth)
		}
	case *ast.Ident:
		for _, rhs := range c.assigns[e.Name] {
			c.text(rhs, depth+1)
		}
		if v, ok := c.consts[e.Name]; ok {
			c.text(v, depth+1)
		}
	case *ast.CallExpr:
		switch name := calleeName(e); name {
		case "fmt.Sprintf", "fmt.Sprint", "truncate", "esc", "strings.TrimSpace", "strings.Repeat":
			for _, a := range e.Args {
				c.text(a, depth)
			}
		}
	}
}

func calleeName(call *ast.CallExpr) string {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}

// localAssigns maps each name assigned in fn to what is assigned to it.
func localAssigns(fn ast.Node) map[string][]ast.Expr {
	out := map[string][]ast.Expr{}
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					out[id.Name] = append(out[id.Name], n.Rhs[i])
				}
				// m[k] = "…" for an errors map.
				if ix, ok := l.(*ast.IndexExpr); ok {
					if id, ok := ix.X.(*ast.Ident); ok {
						out[id.Name+"[]"] = append(out[id.Name+"[]"], n.Rhs[i])
					}
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if i < len(n.Values) {
					out[id.Name] = append(out[id.Name], n.Values[i])
				}
			}
		}
		return true
	})
	return out
}

// textLiterals lists every text literal a handler gives a builder, as
// "file:line: literal".
func textLiterals(t *testing.T) []string {
	fset, files := handlerFiles(t)
	c := &literalChecker{fset: fset, consts: map[string]ast.Expr{}, found: map[string]string{}}
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, id := range vs.Names {
						if i < len(vs.Values) {
							c.consts[id.Name] = vs.Values[i]
						}
					}
				}
			}
		}
	}
	for _, f := range files {
		if f.Name.Name != "handlers" {
			continue
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			c.assigns = localAssigns(fn)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name := calleeName(n)
					for _, i := range textArgs[name] {
						if i < len(n.Args) {
							c.text(n.Args[i], 0)
						}
					}
					if name == "slack.NewErrorsViewSubmissionResponse" && len(n.Args) == 1 {
						c.errorsMap(n.Args[0])
					}
				case *ast.CompositeLit:
					if isTextObjectLit(n) {
						for _, el := range n.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Text" {
									c.text(kv.Value, 0)
								}
							}
						}
					}
				}
				return true
			})
		}
	}
	out := make([]string, 0, len(c.found))
	for at, s := range c.found {
		out = append(out, fmt.Sprintf("%s: %q", at, s))
	}
	sort.Slice(out, func(i, j int) bool { return posLess(out[i], out[j]) })
	return out
}

// errorsMap checks the values of a view's inline errors.
func (c *literalChecker) errorsMap(e ast.Expr) {
	switch e := e.(type) {
	case *ast.CompositeLit:
		for _, el := range e.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				c.text(kv.Value, 0)
			}
		}
	case *ast.Ident:
		for _, v := range c.assigns[e.Name+"[]"] {
			c.text(v, 0)
		}
		for _, v := range c.assigns[e.Name] {
			c.errorsMap(v)
		}
	}
}

func isTextObjectLit(n *ast.CompositeLit) bool {
	sel, ok := n.Type.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "TextBlockObject"
}

// posLess orders "file:line:col: …" by file, then line.
func posLess(a, b string) bool {
	fa, la := splitPos(a)
	fb, lb := splitPos(b)
	if fa != fb {
		return fa < fb
	}
	return la < lb
}

func splitPos(s string) (string, int) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 {
		return s, 0
	}
	n, _ := strconv.Atoi(parts[1])
	return parts[0], n
}

// TestNoTextLiteralsInViews: a handler that builds user-facing text from a
// string literal (not a catalog message) fails, naming each literal's
// file:line. Punctuation, emoji codes, Slack tokens and code spans are not
// words and may stay.
func TestNoTextLiteralsInViews(t *testing.T) {
	found := textLiterals(t)
	for _, f := range found {
		t.Errorf("user-facing text from a literal, not the catalogs: %s", f)
	}
	if len(found) > 0 {
		t.Logf("%d literals: put each in a catalog (handlers/lang/locales) and say it with p.T", len(found))
	}
}

// TestLiteralCheckSeesLiterals: the check itself catches what it must and
// lets punctuation through (a check that finds nothing proves nothing).
func TestLiteralCheckSeesLiterals(t *testing.T) {
	for s, want := range map[string]bool{
		":warning: ": false, "•": false, " · ": false, "<#%s>": false, "`/leaseline show %s`": false, "%s — %d": false, "leaseline · ": false, "leaseline · staff": true,
		".ics": false, "/calendar/": false, "see https://example.com/x": true, "https://example.com/x": false,
		"Approve": true, ":warning: Only staff": true, "申请": true, "*Access Point*\n": true,
	} {
		if got := wordy(s); got != want {
			t.Errorf("wordy(%q) = %v, want %v", s, got, want)
		}
	}
	fset := token.NewFileSet()
	src := `package handlers
func f(p P, x string) {
	msg := "No connections yet"
	section(msg)
	section(":warning: " + x)
	section(fmt.Sprintf("*%s* is %s", x, "ready"))
	button("a", "v", p.T("k"), "")
	errs := map[string]string{}
	errs["b"] = "Too long"
	slack.NewErrorsViewSubmissionResponse(errs)
	_ = slack.ModalViewRequest{Title: &slack.TextBlockObject{Type: "plain_text", Text: "Apply"}}
}`
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := &literalChecker{fset: fset, consts: map[string]ast.Expr{}, found: map[string]string{}}
	fn := f.Decls[0].(*ast.FuncDecl)
	c.assigns = localAssigns(fn)
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			for _, i := range textArgs[calleeName(n)] {
				c.text(n.Args[i], 0)
			}
			if calleeName(n) == "slack.NewErrorsViewSubmissionResponse" {
				c.errorsMap(n.Args[0])
			}
		case *ast.CompositeLit:
			if isTextObjectLit(n) {
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Text" {
						c.text(kv.Value, 0)
					}
				}
			}
		}
		return true
	})
	var got []string
	for _, s := range c.found {
		got = append(got, s)
	}
	sort.Strings(got)
	want := []string{"*%s* is %s", "Apply", "No connections yet", "Too long", "ready"}
	if !slices.Equal(got, want) {
		t.Errorf("found %q, want %q", got, want)
	}
}

// TestStatusWordsMatchGlossary: the catalogs' status words are the table
// "Status words" of docs/glossary.md, English exactly the seed's.
func TestStatusWordsMatchGlossary(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "docs", "glossary.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	table := map[string]string{} // English -> Chinese
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "## ") {
			in = line == "## Status words"
			continue
		}
		if !in || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 2 {
			t.Fatalf("glossary: status row %q has %d cells", line, len(cells))
		}
		en, zh := strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])
		if en == "" || strings.HasPrefix(en, "---") || strings.HasPrefix(en, "English") {
			continue
		}
		table[en] = zh
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(table) < 9 {
		t.Fatalf("glossary: %d status words found, want the 9 of the lifecycle", len(table))
	}
	c := lang.MustLoad()
	en, zh := c.For(lang.English), c.For(lang.Chinese)
	keys := map[string]bool{}
	for word, chinese := range table {
		key := "status." + strings.ReplaceAll(word, " ", "")
		keys[key] = true
		if got := en.T(key); got != word {
			t.Errorf("%s: English catalog says %q, the glossary %q", key, got, word)
		}
		if got := zh.T(key); got != chinese {
			t.Errorf("%s: Chinese catalog says %q, the glossary %q", key, got, chinese)
		}
	}
	for _, id := range c.IDs(lang.English) {
		if strings.HasPrefix(id, "status.") && !keys[id] {
			t.Errorf("catalog status word %q is not in the glossary's table", id)
		}
	}
}
