package demo

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeLetter writes the first entry letter the journey uploaded to the
// provider's channel (its construction visit's) into dir, and says where.
func (d *demo) writeLetter(dir string) error {
	ch := d.provider().SlackChannel
	files := d.fake.Files(ch)
	if len(files) == 0 {
		return fmt.Errorf("demo: no entry letter was uploaded to %s", d.legendNames().channel(ch))
	}
	f := files[0]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: letter directory: %w", err)
	}
	path := filepath.Join(dir, "leaseline-"+f.Name)
	if err := os.WriteFile(path, f.Content, 0o644); err != nil {
		return fmt.Errorf("demo: write the entry letter: %w", err)
	}
	d.printf("\nThe entry letter (LOA-CFA) uploaded to %s, %d kB: %s\n", d.legendNames().channel(ch), (len(f.Content)+1023)/1024, path)
	return nil
}
