package letter_test

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/handlers/letter"
)

// poppler finds a poppler tool: missing, the test fails under CI (make test
// installs poppler-utils) and is skipped elsewhere.
func poppler(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: install poppler-utils (make test does)", tool)
		}
		t.Skipf("%s not found (poppler-utils); CI=true makes this a failure", tool)
	}
	return p
}

func sample(n int, long bool) letter.Data {
	d := letter.Data{
		Operator: "Example Cloud Ltd.", OperatorAddress: "1 Cloud Road, Hangzhou",
		AccessPoint: "Hangzhou-Yuhang-B", IDCName: "杭州余杭B机房", IDCAddress: "浙江省杭州市余杭区文一西路969号",
		Connection: "pc-bp1example0000001", Device: "hz-yh-b-asw-01", Port: "TenGigE1/0/3", PortType: "10GBase-LR",
		Date: "2026-12-03", Weekday: time.Thursday, Window: "09:30-12:00", TimeZone: "Asia/Shanghai",
		Provider: "中国电信浙江分公司 China Telecom Zhejiang", ConstructionCompany: "浙江通信工程建设有限公司",
		ReceptionName: "王芳", ReceptionPhone: "+86 138 0000 0000",
		Code: "K7Q-4MZ2", Issued: "2026-11-28",
	}
	names := []string{"张伟", "李娜", "Ahmed Al-Rashid"}
	for i := range n {
		name := names[i%len(names)]
		if long {
			name = fmt.Sprintf("欧阳·司马·诸葛·上官%02d Maximilian Alexander von Habsburg-Lothringen", i+1)
		}
		d.Visitors = append(d.Visitors, letter.Visitor{Name: name, IDType: "ID card", IDNumber: "**************123X", Phone: fmt.Sprintf("+86 139 0000 %04d", i)})
	}
	return d
}

func render(t *testing.T, d letter.Data) string {
	t.Helper()
	pdf, err := letter.Render(d, lang.MustLoad())
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(poppler(t, "pdftotext"), "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func pages(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(poppler(t, "pdfinfo"), path).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("pdfinfo says no page count:\n%s", out)
	}
	return m[1]
}

func TestLetterShowsTheVisitInChineseAndEnglish(t *testing.T) {
	path := render(t, sample(3, false))
	text := pdfText(t, path)
	for _, want := range []string{
		"进场授权函", "LOA-CFA", "Example Cloud Ltd.",
		"杭州余杭B机房", "浙江省杭州市余杭区文一西路969号", "Hangzhou-Yuhang-B",
		"pc-bp1example0000001", "hz-yh-b-asw-01", "TenGigE1/0/3", "10GBase-LR",
		"2026-12-03", "09:30-12:00", "Asia/Shanghai",
		"中国电信浙江分公司", "浙江通信工程建设有限公司",
		"张伟", "李娜", "Ahmed Al-Rashid", "**************123X", "+86 139 0000 0001",
		"王芳", "+86 138 0000 0000",
		"K7Q-4MZ2", "核验码", "Verification code", "2026-11-28",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("letter text lacks %q:\n%s", want, text)
		}
	}
	if got := pages(t, path); got != "1" {
		t.Errorf("letter has %s pages, want 1", got)
	}
}

func TestLetterWithSixteenLongNamesStaysOnOnePage(t *testing.T) {
	d := sample(16, true)
	d.IDCAddress = strings.Repeat("浙江省杭州市余杭区文一西路969号阿里巴巴西溪园区", 4)
	d.ConstructionCompany = strings.Repeat("Zhejiang Communications Engineering Construction Group ", 3)
	path := render(t, d)
	if got := pages(t, path); got != "1" {
		t.Fatalf("letter of 16 visitors has %s pages, want 1", got)
	}
	text := pdfText(t, path)
	// Every visitor is there, by row number and (the start of) the name.
	for i := range 16 {
		if want := fmt.Sprintf("上官%02d", i+1); !strings.Contains(text, want) {
			t.Errorf("visitor %d missing (%q):\n%s", i+1, want, text)
		}
		if want := fmt.Sprintf("+86 139 0000 %04d", i); !strings.Contains(text, want) {
			t.Errorf("phone of visitor %d missing", i+1)
		}
	}
	if !strings.Contains(text, "K7Q-4MZ2") || !strings.Contains(text, "进场人员（16人）") {
		t.Errorf("code or visitor count missing:\n%s", text)
	}
	nonWhite(t, path)
}

func TestLetterWithoutCodeSaysSo(t *testing.T) {
	d := sample(1, false)
	d.Code = ""
	text := pdfText(t, render(t, d))
	if !strings.Contains(text, "未签发") || !strings.Contains(text, "not issued") {
		t.Errorf("a letter without a code does not say so:\n%s", text)
	}
}

// nonWhite renders page 1 at 50 dpi and checks that it is not blank: a
// letter is mostly white but has text, rules and a QR code.
func nonWhite(t *testing.T, path string) {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command(poppler(t, "pdftoppm"), "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("decode page 1: %v", err)
	}
	b := img.Bounds()
	dark, total := 0, b.Dx()*b.Dy()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xC000 || g < 0xC000 || bl < 0xC000 {
				dark++
			}
		}
	}
	// A4 at 50 dpi is 413×585; text, rules and the QR code ink a few per cent.
	if b.Dx() < 400 || b.Dy() < 570 {
		t.Errorf("page 1 is %dx%d, want A4 at 50 dpi", b.Dx(), b.Dy())
	}
	if frac := float64(dark) / float64(total); frac < 0.02 || frac > 0.5 {
		t.Errorf("page 1 has %.1f%% dark pixels: blank or garbled", 100*frac)
	}
}

func TestLetterPage1IsNotBlank(t *testing.T) {
	nonWhite(t, render(t, sample(5, false)))
}

// Names come from people: accented Latin, rare Chinese characters, and
// characters past the Basic Multilingual Plane, which fpdf cannot set (it
// panicked on them): those show as the replacement character.
func TestLetterSetsAnyNameAndMarksWhatItCannot(t *testing.T) {
	d := sample(3, false)
	d.Visitors[0].Name = "José Müller-Łukasiewicz Nguyễn Thị"
	d.Visitors[1].Name = "龘堃喆 𠮷野家"
	d.IDCAddress = "Ελληνικά Кириллица"
	text := pdfText(t, render(t, d))
	for _, want := range []string{"José Müller-Łukasiewicz Nguyễn Thị", "龘堃喆 \uFFFD野家", "Ελληνικά Кириллица", "Ahmed Al-Rashid"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter text lacks %q:\n%s", want, text)
		}
	}
}

// One Renderer draws the letters of a process, at the same time.
func TestRendererDrawsLettersConcurrently(t *testing.T) {
	r := letter.NewRenderer(lang.MustLoad())
	names := []string{"赵敏", "Ana Sørensen", "欧阳修", "Ōta Hiroshi"}
	pdfs := make([][]byte, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			d := sample(1, false)
			d.Visitors[0].Name = name
			pdfs[i], errs[i] = r.Render(d)
		})
	}
	wg.Wait()
	for i, name := range names {
		if errs[i] != nil {
			t.Fatalf("render %s: %v", name, errs[i])
		}
		path := filepath.Join(t.TempDir(), "letter.pdf")
		if err := os.WriteFile(path, pdfs[i], 0o600); err != nil {
			t.Fatal(err)
		}
		if text := pdfText(t, path); !strings.Contains(text, name) {
			t.Errorf("letter %d lacks %q:\n%s", i, name, text)
		}
	}
}
