package demo

import (
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers/lang"
)

// The demo in another language (--lang zh-CN): every person's Slack locale
// is that language, and staff set the language of each channel the demo
// uses with /leaseline language #channel, as an operator would for
// parties who read Chinese. Buttons are pressed and forms filled by their
// action and block IDs, which never depend on the language.

// slackLocale is the Slack locale of a person reading l.
func slackLocale(l lang.Lang) string {
	if l == lang.Chinese {
		return "zh-CN"
	}
	return "en-US"
}

// setLocales gives every person of the demo the Slack locale of d.lang.
func (d *demo) setLocales() {
	users := []slackfake.User{{ID: demoStaff, Name: "sam"}, {ID: demoCustomer, Name: "alice"}, {ID: demoProvider, Name: "pete"}}
	for _, r := range d.reception() {
		if r.SlackUserID != "" {
			users = append(users, slackfake.User{ID: r.SlackUserID, Name: handle(r.Name)[1:], RealName: r.Name})
		}
	}
	for _, u := range users {
		u.Locale = slackLocale(d.lang)
		d.fake.SetUser(u)
	}
}

// languageSteps are the staff commands that set the language of the
// demo's channels, run before the journey when the demo is not in
// English (English is every channel's default).
func (d *demo) languageSteps() []string {
	if d.lang == lang.English {
		return nil
	}
	return []string{
		"language <#" + demoStaffChan + "|leaseline-staff> " + string(d.lang),
		"language <#" + demoCustChan + "|acme-network> " + string(d.lang),
		"language <#" + d.provider().SlackChannel + "|ct-zhejiang> " + string(d.lang),
	}
}

// buttonActions are the action IDs of the buttons the script presses, by
// the English text the script names them with (handlers' routes).
var buttonActions = map[string]string{
	"Approve":               "ll_approve",
	"Pay for Connection":    "ll_pay",
	"View":                  "ll_view",
	"Notify Provider":       "ll_notify",
	"Submit Survey":         "ll_survey",
	"Submit Ticket":         "ll_ticket",
	"Construction Complete": "ll_complete",
	"Confirm":               "ll_confirm",
	"Terminate":             "ll_terminate",
	"Removal Complete":      "ll_removal",
	"Change Bandwidth":      "ll_bandwidth",
	"Edit and Resubmit":     "ll_resubmit",
}

// fieldBlocks are the block IDs of the apply form's fields, by their
// English labels (a field chosen per access point has ".<id>" after it).
var fieldBlocks = map[string]string{
	"Name":             "apply_name",
	"Access Point":     "apply_ap",
	"Service Provider": "apply_provider",
	"Port Type":        "apply_port",
	"Bandwidth":        "apply_bw",
	"Location":         "apply_loc",
	"Redundancy":       "apply_red",
}
