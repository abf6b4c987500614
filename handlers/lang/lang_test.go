package lang_test

import (
	"testing"
	"time"

	"github.com/leaseline/leaseline/handlers/lang"
)

func TestEveryLanguageHasEveryMessage(t *testing.T) {
	c, err := lang.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := map[string]bool{}
	for _, id := range c.IDs(lang.English) {
		en[id] = true
	}
	for _, l := range lang.Langs()[1:] {
		have := map[string]bool{}
		for _, id := range c.IDs(l) {
			have[id] = true
			if !en[id] {
				t.Errorf("%s has %q, which English lacks", l, id)
			}
		}
		for id := range en {
			if !have[id] {
				t.Errorf("%s lacks %q", l, id)
			}
		}
	}
}

func TestParseFallsBackToEnglish(t *testing.T) {
	for in, want := range map[string]lang.Lang{
		"zh-CN": lang.Chinese, "zh_CN": lang.Chinese, "zh-Hans": lang.Chinese, "中文": lang.Chinese,
		"en-US": lang.English, "EN": lang.English, "fr-FR": lang.English, "": lang.English, "??": lang.English,
	} {
		if got := lang.Parse(in); got != want {
			t.Errorf("Parse(%q) = %s, want %s", in, got, want)
		}
	}
	if _, ok := lang.Known("fr"); ok {
		t.Error(`Known("fr") = true; leaseline does not ship French`)
	}
}

func TestDatesAndMoneyPerLanguage(t *testing.T) {
	c := lang.MustLoad()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := time.Date(2026, 12, 7, 1, 30, 0, 0, time.UTC)
	zh, en := c.For(lang.Chinese), c.For(lang.English)
	if got, want := zh.When(at, sh), "2026年12月7日（星期一） 09:30 CST"; got != want {
		t.Errorf("zh When = %q, want %q", got, want)
	}
	if got, want := en.When(at, sh), "Mon 7 Dec 09:30 CST"; got != want {
		t.Errorf("en When = %q, want %q", got, want)
	}
	if got, want := zh.Money(300000, "CNY"), "¥3,000.00"; got != want {
		t.Errorf("zh Money = %q, want %q", got, want)
	}
	if got, want := en.Money(300000, "CNY"), "CNY 3,000.00"; got != want {
		t.Errorf("en Money = %q, want %q", got, want)
	}
	if got, want := zh.Money(-50000, "CNY"), "-¥500.00"; got != want {
		t.Errorf("zh Money(refund) = %q, want %q", got, want)
	}
	if got, want := zh.Money(1250, "USD"), "USD 12.50"; got != want {
		t.Errorf("zh Money(USD) = %q, want %q", got, want)
	}
	if got, want := zh.T("status.PendingConfirmation"), "待确认"; got != want {
		t.Errorf("zh status = %q, want %q", got, want)
	}
}

func TestPlurals(t *testing.T) {
	c := lang.MustLoad()
	en, zh := c.For(lang.English), c.For(lang.Chinese)
	for n, want := range map[int]string{1: "…and 1 more not shown here.", 2: "…and 2 more not shown here.", 0: "…and 0 more not shown here."} {
		if got := en.N("cards.more_blocks", n); got != want {
			t.Errorf("en N(%d) = %q, want %q", n, got, want)
		}
	}
	if got, want := zh.N("cards.more_blocks", 3), "……另有 3 项未在此显示。"; got != want {
		t.Errorf("zh N(3) = %q, want %q", got, want)
	}
}
