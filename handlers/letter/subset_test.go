package letter

import (
	"slices"
	"testing"
	"time"

	"github.com/leaseline/leaseline/handlers/lang"
)

// A letter that sets a character its fonts were not cut with says which,
// and Render draws it again with them.
func TestRenderNotesCharactersItWasNotCutWith(t *testing.T) {
	r := NewRenderer(lang.MustLoad())
	if err := r.load(); err != nil {
		t.Fatal(err)
	}
	d := Data{Connection: "pc-1", Date: "2026-12-03", Weekday: time.Thursday, Issued: "2026-11-28",
		Visitors: []Visitor{{Name: "龘堃", IDType: "passport", IDNumber: "***9", Phone: "1"}}}
	_, missing, err := r.render(d, r.base)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(missing, '龘') || !slices.Contains(missing, '堃') {
		t.Fatalf("missing = %q, want 龘 and 堃", string(missing))
	}
	if _, missing, _ := r.render(d, append(r.base, dataRunes(d)...)); len(missing) != 0 {
		t.Fatalf("missing = %q with the data's characters", string(missing))
	}
}

// The subset of a font keeps the glyphs of the characters asked for, and
// their advances, and nothing else.
func TestSubsetKeepsTheCharactersAskedFor(t *testing.T) {
	full, err := parseFont(latinFont)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := parseFont(full.subset([]rune("Aé€龘")))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "Aé€" {
		g, h := full.glyphOf(r), sub.glyphOf(r)
		if h == 0 || sub.advance(h) != full.advance(g) || len(sub.glyph(int(h))) < len(full.glyph(int(g))) {
			t.Errorf("%q: glyph %d of the subset (advance %d, %d bytes) is not glyph %d (advance %d, %d bytes)",
				r, h, sub.advance(h), len(sub.glyph(int(h))), g, full.advance(g), len(full.glyph(int(g))))
		}
	}
	if sub.glyphOf('B') != 0 || sub.glyphOf('龘') != 0 {
		t.Error("the subset maps characters not asked for (or DejaVu's missing 龘)")
	}
	if sub.numGlyphs > 8 {
		t.Errorf("the subset has %d glyphs for 3 characters", sub.numGlyphs)
	}
}
