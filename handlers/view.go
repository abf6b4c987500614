package handlers

import (
	"cmp"
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// View: where the line goes (IDC location, network location), the port
// (device, port, port type, bandwidth) and the physical connection ID, shown
// only to the user who asked; the viewing is recorded.

// pressView records the view and shows the port information: in a modal
// when pressed in App Home or a modal, else as an ephemeral message.
func (a *App) pressView(ctx context.Context, p press) {
	w := a.forUser(ctx, p.cb.User.ID)
	if _, err := a.store.Act(ctx, p.actor, p.conn, models.ActInput{Action: models.ActionViewPort}); err != nil {
		a.failPress(ctx, p, err)
		return
	}
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	blocks := append([]slack.Block{slack.NewHeaderBlock(plain(w.T("forms.port.header", lang.Args{"ID": pcID(&d.Connection)})))}, portBlocks(w, d)...)
	blocks = append(blocks, slack.NewContextBlock("", md(statusLine(w, &d.Connection))))
	if p.cb.Container.Type == "view" || p.cb.ResponseURL == "" && channelOf(p.cb) == "" {
		a.openModal(ctx, p, modal("ll_v_port", w.T("forms.port.title"), "", w.T("forms.close"), meta{}, blocks))
		return
	}
	if p.cb.ResponseURL != "" {
		err = a.resp.Respond(ctx, p.cb.ResponseURL, ephemeral(blocks...))
	} else {
		_, err = a.slack.PostEphemeralContext(ctx, channelOf(p.cb), p.cb.User.ID, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(w.T("forms.port.fallback", lang.Args{"ID": pcID(&d.Connection)}), false))
	}
	if err != nil {
		a.log.ErrorContext(ctx, "show port information", "err", err)
	}
}

// portBlocks is the port information of a connection: IDC location,
// network location, port, physical connection ID, in the reader's
// language p.
func portBlocks(p lang.Printer, d *models.Detail) []slack.Block {
	c := &d.Connection
	ap := &d.AccessPoint
	region := cmp.Or(named(p, d.Region.Name, d.Region.NameZh), ap.RegionID)
	port := c.PortName
	if port == "" {
		port = p.T("forms.port.on_payment")
	}
	device := c.DeviceID
	if device == "" {
		device = p.T("forms.port.on_payment")
	}
	blocks := []slack.Block{slack.NewSectionBlock(md("*"+p.T("forms.port.idc_location")+"*"), nil, nil)}
	blocks = append(blocks, factBlocks([]fact{
		{label: p.T("forms.port.idc"), value: named(p, ap.IDCName, ap.IDCNameZh)},
		{label: p.T("forms.port.address"), value: idcAddress(p, d)},
		{label: p.T("forms.port.ap_location"), value: locationNamed(p, ap)},
		{label: p.T("forms.port.region"), value: region},
	})...)
	blocks = append(blocks, slack.NewSectionBlock(md("*"+p.T("forms.port.network_location")+"*"), nil, nil))
	blocks = append(blocks, factBlocks([]fact{
		{label: formField(p, models.FieldAccessPoint), value: apName(p, d)},
		{label: p.T("forms.port.pc_id"), value: "`" + pcID(c) + "`", md: true},
		{label: formField(p, models.FieldProvider), value: providerName(p, d)},
		{label: p.T("forms.port.customer_idc"), value: c.Location},
	})...)
	blocks = append(blocks, slack.NewSectionBlock(md("*"+p.T("forms.port.port_information")+"*"), nil, nil))
	return append(blocks, factBlocks([]fact{
		{label: p.T("forms.port.device"), value: device},
		{label: p.T("forms.port.port"), value: port},
		{label: formField(p, models.FieldPortType), value: string(c.PortType)},
		{label: formField(p, models.FieldBandwidth), value: fmt.Sprintf("%d Mbps", c.BandwidthMbps)},
	})...)
}
