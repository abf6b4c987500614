package demo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/scheduler"
)

// The script: the journey of one leased line, step by step, Applying to
// Enabled.

func (d *demo) run() error {
	if !d.quiet {
		d.legend()
	}
	ws := d.ws
	p := d.provider()
	provChan := p.SlackChannel
	text := func(s string) value { return value{text: s} }
	var ref string // the application's reference, "#1"

	// In another language than English, staff first set the channels' language.
	var steps []step
	for i, cmd := range d.languageSteps() {
		steps = append(steps, step{at(26, 9, 25+i), demoStaff, "sets a channel's language: /leaseline " + d.n.mrkdwn(cmd),
			func() error { return ws.command(demoStaff, demoStaffChan, cmd) }})
	}
	steps = append(steps, []step{
		{at(26, 9, 30), demoStaff, "links #acme-network to the new customer account ACME: /leaseline link #acme-network customer ACME",
			func() error {
				return ws.command(demoStaff, demoStaffChan, "link <#"+demoCustChan+"|acme-network> customer ACME")
			}},
		{at(26, 9, 31), demoStaff, "tops up ACME's prepaid balance: /leaseline credit ACME 10000",
			func() error { return ws.command(demoStaff, demoStaffChan, "credit ACME 10000") }},
		{at(26, 10, 0), demoCustomer, "runs /leaseline apply in #acme-network",
			func() error { return ws.command(demoCustomer, demoCustChan, "apply") }},
		{at(26, 10, 1), demoCustomer, "chooses the access point Hangzhou-Yuhang-B",
			func() error { return ws.choose(demoCustomer, models.FieldAccessPoint, demoAccessPoint) }},
		{at(26, 10, 3), demoCustomer, "fills in the form and presses Apply",
			func() error {
				return ws.submit(demoCustomer, map[string]value{
					models.FieldName: text("ACME Hangzhou primary"), models.FieldAccessPoint: text(demoAccessPoint),
					models.FieldProvider: text(demoProviderID), models.FieldPortType: text("1000Base-T"),
					models.FieldBandwidth: text("200"), models.FieldLocation: text("ACME DC, Room 301, 88 Wensan Road, Hangzhou"),
				})
			}},
		{at(26, 14, 0), demoStaff, "presses Approve in #leaseline-staff",
			func() error {
				b, err := ws.press(demoStaff, demoStaffChan, "Approve")
				if err != nil {
					return err
				}
				id, err := strconv.ParseInt(b.value, 10, 64)
				if err != nil {
					return fmt.Errorf("the Approve button names no connection (%q)", b.value)
				}
				ref = models.ApplicationRef(id)
				return nil
			}},
		{at(26, 14, 30), demoCustomer, "presses Pay for Connection in #acme-network",
			func() error { _, err := ws.press(demoCustomer, demoCustChan, "Pay for Connection"); return err }},
		{at(26, 14, 31), demoCustomer, "confirms the payment in the form",
			func() error { return ws.submit(demoCustomer, nil) }},
		{at(26, 14, 35), demoCustomer, "presses View",
			func() error { _, err := ws.press(demoCustomer, demoCustChan, "View"); return err }},
		{at(26, 14, 36), demoCustomer, "presses Notify Provider",
			func() error { _, err := ws.press(demoCustomer, demoCustChan, "Notify Provider"); return err }},
		{at(26, 16, 0), demoProvider, "presses Submit Survey in #ct-zhejiang",
			func() error { _, err := ws.press(demoProvider, provChan, "Submit Survey"); return err }},
		{at(26, 16, 5), demoProvider, "lists two engineers and the arrival time, and submits the survey",
			func() error {
				return ws.submit(demoProvider, map[string]value{
					"company": text("Zhejiang Line Works"), "line_type": text("fibre"), "arrival": {at: at(30, 9, 30)},
					"eng_1_name": text("Chen Hao"), "eng_1_phone": text("+86 138 0000 0000"), "eng_1_idtype": text("ID card"), "eng_1_idnum": text(demoRawIDNumber),
					"eng_2_name": text("John Smith"), "eng_2_phone": text("+44 20 7946 0000"), "eng_2_idtype": text("passport"), "eng_2_idnum": text("GB1234567"),
				})
			}},
		{at(26, 17, 0), demoCustomer, "presses Submit Ticket",
			func() error { _, err := ws.press(demoCustomer, demoCustChan, "Submit Ticket"); return err }},
		{at(26, 17, 2), demoCustomer, "adds a note for the IDC and submits the construction ticket",
			func() error { return ws.submit(demoCustomer, map[string]value{"note": text("Cage 12, rack 4")}) }},
		{at(27, 8, 0), "", "runs schedule-visits (by hand, as `leaseline jobs run schedule-visits --at 2026-11-27T08:00:00+08:00`)",
			d.runJob(scheduler.JobScheduleVisits)},
		{at(30, 8, 0), "", "runs reception-reminders on the morning of the visit",
			d.runJob(scheduler.JobReceptionReminders)},
		{at(30, 14, 0), demoProvider, "presses Construction Complete in #ct-zhejiang",
			func() error { _, err := ws.press(demoProvider, provChan, "Construction Complete"); return err }},
		{at(30, 14, 2), demoProvider, "gives the line code and line label and submits",
			func() error {
				return ws.submit(demoProvider, map[string]value{"line_code": text("HZ-CT-0001"), "line_label": text("ACME-HZ-01")})
			}},
		{at(30, 15, 0), demoCustomer, "presses Confirm in #acme-network",
			func() error { _, err := ws.press(demoCustomer, demoCustChan, "Confirm"); return err }},
		{at(30, 15, 5), demoCustomer, "looks at the connection: /leaseline show",
			func() error { return ws.command(demoCustomer, demoCustChan, "show "+ref) }},
	}...)
	for _, s := range steps {
		if err := d.do(s.at, s.actor, s.what, s.act); err != nil {
			d.printf("\n✗ the demo failed: %v\n", err)
			return err
		}
	}
	if err := d.finish(ref); err != nil {
		return err
	}
	return d.secondAct(ref)
}

// step is one step of the script: at a time, who does what.
type step struct {
	at    time.Time
	actor string
	what  string
	act   func() error
}

// finish prints the final status, and checks that the connection is
// Enabled (the customer's /leaseline show printed its audit trail).
func (d *demo) finish(ref string) error {
	c, err := d.store.Find(d.ctx, models.SystemActor(), ref)
	if err != nil {
		return fmt.Errorf("demo: find %s: %w", ref, err)
	}
	det, err := d.store.Detail(d.ctx, models.SystemActor(), c.ID)
	if err != nil {
		return fmt.Errorf("demo: load %s: %w", ref, err)
	}
	status := det.Connection.Status
	pc := ""
	if det.Connection.PhysicalConnectionID != nil {
		pc = " (" + *det.Connection.PhysicalConnectionID + ")"
	}
	if status != models.StatusEnabled {
		d.printf("\n✗ %s%s ended %s, not Enabled\n", ref, pc, status)
		return fmt.Errorf("demo: %s ended %s, not Enabled", ref, status)
	}
	d.printf("\n✓ %s%s is %s: leased line access is complete, in %d steps.\n", ref, pc, status, d.step)
	return nil
}
