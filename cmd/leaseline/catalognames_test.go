package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLICatalogCheckChineseNames: catalog check passes a file that gives
// names in English only, and lists each entry missing its Chinese name as
// a warning; the sample, which gives them all, has none.
func TestCLICatalogCheckChineseNames(t *testing.T) {
	dir := t.TempDir()
	sample, _ := filepath.Abs(filepath.Join("..", "..", "deploy", "catalog.sample.yaml"))
	r := leaseline(t, dir, nil, "catalog", "check", sample)
	if r.code != 0 || strings.Contains(r.stdout, "name_zh") {
		t.Fatalf("check of the sample: %d %s %s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data), "    name_zh: 华北2（北京）\n", "", 1)
	src = strings.Replace(src, " name_zh: 中国移动北京分公司,", "", 1)
	file := filepath.Join(dir, "english.yaml")
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	r = leaseline(t, dir, nil, "catalog", "check", file)
	if r.code != 0 || !strings.Contains(r.stdout, "is valid") {
		t.Fatalf("check of a file without some Chinese names: %d %s %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`warning: region cn-beijing has no name_zh: zh-CN readers see "China (Beijing)"`,
		`warning: provider cm-bj has no name_zh: zh-CN readers see "China Mobile Beijing"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check lacks %q:\n%s", want, r.stdout)
		}
	}
}
