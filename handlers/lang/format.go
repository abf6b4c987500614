package lang

import (
	"fmt"
	"strings"
	"time"

	"github.com/leaseline/leaseline/models"
)

var zhWeekdays = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// When is a moment as the reader writes it, in loc with the zone's
// abbreviation: "Mon 7 Dec 09:30 CST", "2026年12月7日（星期一） 09:30 CST".
func (p Printer) When(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if p.lang == Chinese {
		return p.Date(t) + " " + t.Format("15:04 MST")
	}
	return t.Format("Mon 2 Jan 15:04 MST")
}

// Date is a day as the reader writes it: "Mon 7 Dec 2026",
// "2026年12月7日（星期一）". t is read in its own location.
func (p Printer) Date(t time.Time) string {
	if p.lang == Chinese {
		return fmt.Sprintf("%d年%d月%d日（%s）", t.Year(), int(t.Month()), t.Day(), zhWeekdays[t.Weekday()])
	}
	return t.Format("Mon 2 Jan 2006")
}

// Weekday is the day of the week in the reader's language.
func (p Printer) Weekday(d time.Weekday) string {
	if p.lang == Chinese {
		return zhWeekdays[d]
	}
	return d.String()
}

// Money is an amount in cents of a currency as the reader writes it:
// "CNY 3,000.00" in English (models.FormatMoney), "¥3,000.00" in Chinese
// for CNY (other currencies keep their code: "USD 12.50").
func (p Printer) Money(cents int64, currency string) string {
	s := models.FormatMoney(cents, currency)
	if p.lang == Chinese && (currency == "CNY" || currency == "RMB") {
		num := strings.TrimPrefix(s, currency+" ")
		if n, ok := strings.CutPrefix(num, "-"); ok {
			return "-¥" + n
		}
		return "¥" + num
	}
	return s
}
